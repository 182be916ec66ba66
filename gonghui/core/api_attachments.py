"""Attachments in the JSON API (mounted at /api/v1/attachments): an object's files, an upload (multipart), one
file's record and its download. Scoped and audited like the pages: the same services."""

import datetime

from django.http import Http404
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from .attachments import services
from .views_attachments import file_response

router = Router(tags=["attachments"])


class OwnerIn(Schema):
    kind: str
    id: str


class AttachmentOut(Schema):
    uid: str
    owner_kind: str
    owner_id: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    note: str
    uploaded_by: str
    uploaded_at: datetime.datetime
    download: str


def _out(a) -> dict:
    return {"uid": a.uid, "owner_kind": a.owner_kind, "owner_id": a.owner_id, "file_name": a.original_name,
            "content_type": a.content_type, "size": a.size, "sha256": a.sha256, "note": a.note,
            "uploaded_by": a.uploaded_by.username if a.uploaded_by else "", "uploaded_at": a.created_at,
            "download": reverse("api:attachment_download", args=[a.uid])}


def _owner(request, kind: str, object_id: str):
    if "\x00" in kind + object_id:
        raise Http404
    return services.owner_for(actor=request.auth, kind=kind[:40], object_id=object_id[:40])


@router.get("", response=list[AttachmentOut], summary="The files attached to an object")
def attachment_list(request, owner: Query[OwnerIn]):
    kind, obj = _owner(request, owner.kind, owner.id)
    return [_out(a) for a in services.attachments_of(owner=kind, obj=obj)]


@router.post("", response={201: AttachmentOut}, summary="Attach a file (PDF, OFD, JPEG, PNG, XML e-invoice)")
def attachment_upload(request, kind: Form[str], id: Form[str], file: File[UploadedFile],
                      note: Form[str] = ""):
    _owner(request, kind, id)
    attachment = services.attachment_upload(actor=request.auth, kind=kind, object_id=id, upload=file, note=note)
    return Status(201, _out(attachment))


@router.get("/{uid}", response=AttachmentOut, summary="One attached file's record")
def attachment_detail(request, uid: str):
    attachment, _owner_kind, _obj = services.attachment_get(actor=request.auth, uid=uid)
    return _out(attachment)


@router.get("/{uid}/download", url_name="attachment_download", summary="Download an attached file (audited)")
def attachment_download(request, uid: str):
    attachment, handle = services.attachment_open(actor=request.auth, uid=uid)
    return file_response(attachment, handle)
