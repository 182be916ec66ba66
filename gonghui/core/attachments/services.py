"""Attachments: upload, list, download and delete, each scoped to the actor through the owner's kind and audited.

The bytes go to ``storages["attachments"]`` (private files under var/attachments, or an S3-compatible bucket) under
a random name that holds nothing the user typed; the row keeps the original name for the download. A file is
checked from its bytes before anything is written (``content.detect``); a failed write leaves no file behind.
"""

import hashlib
import re
import secrets
import unicodedata

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..models import Attachment, Outcome
from .content import EXTENSIONS, AttachmentRefused, detect, max_bytes, refused, size_check
from .registry import OwnerKind, owner_kind

NAME_MAX = 200
NOTE_MAX = 200


def attachment_storage():
    return storages["attachments"]


def max_per_owner() -> int:
    return int(getattr(settings, "GONGHUI_ATTACHMENT_MAX_PER_OWNER", 50))


def clean_name(name: str) -> str:
    """The file name as shown and offered on download: its last path part, no control or reserved characters,
    at most 200 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'["<>:|?*]+', "_", name).strip(" .")
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        ext = ext[:16] if dot else ""
        name = (stem if dot else name)[:NAME_MAX - len(ext) - 1] + ("." + ext if ext else "")
    return name or _("attachment")


def download_name(attachment: Attachment) -> str:
    """The original name, with the extension of what the file really is when the name says otherwise."""
    ext = EXTENSIONS[attachment.content_type]
    stem, dot, current = attachment.original_name.rpartition(".")
    current = current.lower() if dot else ""
    if current == ext or (ext == "jpg" and current == "jpeg"):
        return attachment.original_name
    return f"{stem if dot else attachment.original_name}.{ext}"


# --- selectors ---------------------------------------------------------------------------------------------


def owner_for(*, actor, kind: str, object_id: str) -> tuple[OwnerKind, object]:
    """The owner kind and the object, read within the actor's scope (404 outside it); PermissionDenied when the
    actor may not see the owner's files."""
    if not actor.is_authenticated:
        raise Http404
    owner = owner_kind(kind)
    obj = owner.resolve(actor, str(object_id))
    if not actor.covers(owner.org_path(obj)):
        raise Http404  # the kind's resolver is scoped; this is the floor under it
    if not owner.may_view(actor, obj):
        raise PermissionDenied("attachment.view")
    return owner, obj


def attachments_of(*, owner: OwnerKind, obj) -> QuerySet[Attachment]:
    """The files of an object the caller has already resolved with ``owner_for``, oldest first (the owner index)."""
    return (Attachment.objects.filter(owner_kind=owner.kind, owner_id=owner.object_id(obj))
            .select_related("uploaded_by").order_by("id"))


def attachment_get(*, actor, uid: str) -> tuple[Attachment, OwnerKind, object]:
    """One attachment the actor may see, with its owner; 404 when missing or outside the scope."""
    if not actor.is_authenticated:
        raise Http404
    found = Attachment.objects.filter(uid=str(uid)[:24], org_path__startswith=actor.org.path).first()
    if found is None:
        raise Http404
    owner, obj = owner_for(actor=actor, kind=found.owner_kind, object_id=found.owner_id)
    return found, owner, obj


def may_delete(actor, owner: OwnerKind, obj, attachment: Attachment) -> bool:
    return (owner.is_deletable(obj) and owner.may_attach(actor, obj)
            and actor.covers(attachment.uploader_path))


# --- services ----------------------------------------------------------------------------------------------


def _read(upload, name: str) -> bytes:
    """The upload's bytes, never more than the limit plus one (the declared size may lie)."""
    size_check(name, getattr(upload, "size", None) or 1)
    limit = max_bytes()
    upload.seek(0)
    data = upload.read(limit + 1)
    size_check(name, len(data))
    return data


def _stored_name(owner: OwnerKind, content_type: str) -> str:
    now = timezone.now()
    return f"{owner.kind}/{now:%Y}/{now:%m}/{secrets.token_hex(16)}.{EXTENSIONS[content_type]}"


def _lock(obj) -> None:
    """Hold the owner's row until the transaction ends: uploads and deletions of one object take turns."""
    list(type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list("pk", flat=True))


def _new_uid() -> str:
    while True:
        uid = secrets.token_urlsafe(12)
        if not Attachment.objects.filter(uid=uid).exists():
            return uid


def _refusal(actor, owner: OwnerKind, obj, name: str, exc: ValidationError) -> None:
    """Record a refused file (hostile uploads leave a trace), then let the refusal go to the user."""
    audit.record(actor=actor, action="attachment.refuse", object_type="attachment", scope_path=owner.org_path(obj),
                 outcome=Outcome.DENIED, details={"owner": f"{owner.label} {owner.describe(obj)}", "file": name,
                                                  "reason": " ".join(exc.messages)[:300]})


def attachment_upload(*, actor, kind: str, object_id: str, upload, note: str = "") -> Attachment:
    """Attach ``upload`` (a Django UploadedFile, or any file object with ``name``) to the object, after checking
    its bytes; one audit event. The owner is locked while the files are counted, so the limit holds."""
    owner, obj = owner_for(actor=actor, kind=kind, object_id=object_id)
    if not owner.may_attach(actor, obj):
        raise PermissionDenied("attachment.add")
    name = clean_name(getattr(upload, "name", ""))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("The note is longer than %(n)s characters.") % {"n": NOTE_MAX}})
    try:
        data = _read(upload, name)
        content_type = detect(name, data)
    except AttachmentRefused as exc:
        _refusal(actor, owner, obj, name, exc)
        raise ValidationError({"file": exc.messages}) from None
    storage = attachment_storage()
    stored = None
    try:
        with transaction.atomic():
            _lock(obj)
            held = Attachment.objects.filter(owner_kind=owner.kind, owner_id=owner.object_id(obj)).count()
            if held >= max_per_owner():
                raise refused(name, _("this item already holds %(n)s files, the most allowed.")
                              % {"n": max_per_owner()})
            path = owner.org_path(obj)
            stored = storage.save(_stored_name(owner, content_type), ContentFile(data))
            attachment = Attachment(
                uid=_new_uid(), owner_kind=owner.kind, owner_id=owner.object_id(obj), org_path=path,
                original_name=name, stored_name=stored, content_type=content_type, size=len(data),
                sha256=hashlib.sha256(data).hexdigest(), note=note, uploaded_by=actor.user,
                uploader_path=actor.org.path)
            attachment.full_clean()
            attachment.save(force_insert=True)
            if owner.on_count is not None:
                owner.on_count(obj, 1)
            audit.record(actor=actor, action="attachment.upload", object_type="attachment",
                         object_id=attachment.uid, scope_path=path,
                         details={"owner": f"{owner.label} {owner.describe(obj)}", "file": name,
                                  "type": content_type, "size": len(data), "sha256": attachment.sha256})
    except BaseException as exc:
        if stored is not None:
            storage.delete(stored)  # the row was not written: leave no file behind
        if isinstance(exc, AttachmentRefused):  # over the count: recorded once the transaction is undone
            _refusal(actor, owner, obj, name, exc)
            raise ValidationError({"file": exc.messages}) from None
        raise
    return attachment


def attachment_open(*, actor, uid: str):
    """(attachment, open file) for a download, recorded in the audit trail."""
    attachment, owner, obj = attachment_get(actor=actor, uid=uid)
    handle = attachment_storage().open(attachment.stored_name, "rb")
    audit.record(actor=actor, action="attachment.download", object_type="attachment", object_id=attachment.uid,
                 scope_path=attachment.org_path,
                 details={"owner": f"{owner.label} {owner.describe(obj)}", "file": attachment.original_name})
    return attachment, handle


def attachment_delete(*, actor, uid: str) -> None:
    """Remove a file: for whoever may attach to the owner and whose scope covers the uploader's unit, while the
    owner's kind allows it. The bytes are removed once the deletion is committed."""
    attachment, owner, obj = attachment_get(actor=actor, uid=uid)
    if not may_delete(actor, owner, obj, attachment):
        raise PermissionDenied("attachment.delete")
    with transaction.atomic():
        _lock(obj)
        deleted, _rows = Attachment.objects.filter(pk=attachment.pk).delete()
        if not deleted:
            raise Http404
        if owner.on_count is not None:
            owner.on_count(obj, -1)
        audit.record(actor=actor, action="attachment.delete", object_type="attachment", object_id=attachment.uid,
                     scope_path=attachment.org_path,
                     details={"owner": f"{owner.label} {owner.describe(obj)}", "file": attachment.original_name,
                              "sha256": attachment.sha256})
        stored = attachment.stored_name
        transaction.on_commit(lambda: attachment_storage().delete(stored))
