"""The attachments of one object (a genuine page: "the files of voucher 记-0001"), and the upload, download and
delete doors used by that page and by every page showing the panel (``{% attachments_panel %}``). Uploads and
deletions redirect back to the page they came from; downloads stream through here, never from a static server."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import audit
from .attachments import services
from .models import Outcome
from .spreadsheets import content_disposition


def owner_page_url(kind: str, object_id) -> str:
    return reverse("attachments:owner") + "?" + urlencode({"kind": kind, "id": str(object_id)})


def _denied(request, perm: str):
    audit.record(actor=request.actor, action="access.denied", object_type="url", object_id=request.path[:64],
                 outcome=Outcome.DENIED, details={"perm": perm})
    return PermissionDenied(perm)


def _back(request, fallback: str) -> str:
    """Where an upload or deletion returns: the page that sent it (same site, a path), else ``fallback``."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                                  require_https=request.is_secure()):
        return target
    return fallback


def _owner(request, kind: str, object_id: str):
    try:
        return services.owner_for(actor=request.actor, kind=kind, object_id=object_id)
    except PermissionDenied:
        raise _denied(request, "attachment.view") from None


@never_cache
@login_required
@require_GET
def attachment_owner(request):
    """The attachments of one object, with the upload form when the actor may add files."""
    kind, object_id = request.GET.get("kind", ""), request.GET.get("id", "")
    if not kind or not object_id or "\x00" in kind + object_id:
        raise Http404
    owner, obj = _owner(request, kind, object_id)
    name = f"{owner.label} {owner.describe(obj)}"
    crumbs = [{"label": owner.label}, {"label": owner.describe(obj), "url": owner.url(obj) if owner.url else ""},
              {"label": _("Attachments")}]
    return render(request, "core/attachments/owner.html", {
        "title": _("Attachments of %(name)s") % {"name": name}, "owner": owner, "obj": obj,
        "owner_name": owner.describe(obj), "owner_url": owner.url(obj) if owner.url else "", "breadcrumbs": crumbs})


@never_cache
@login_required
@require_POST
def attachment_upload(request):
    kind, object_id = request.POST.get("kind", ""), request.POST.get("id", "")
    if not kind or not object_id or "\x00" in kind + object_id:
        raise Http404
    _owner(request, kind, object_id)  # outside the scope: 404 before anything is read
    back = _back(request, owner_page_url(kind, object_id))
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
        return redirect(back)
    try:
        attachment = services.attachment_upload(actor=request.actor, kind=kind, object_id=object_id, upload=upload,
                                                note=request.POST.get("note", ""))
    except PermissionDenied:
        raise _denied(request, "attachment.add") from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, _("“%(name)s” is attached.") % {"name": attachment.original_name})
    return redirect(back)


@never_cache
@login_required
@require_GET
def attachment_download(request, uid: str):
    try:
        attachment, handle = services.attachment_open(actor=request.actor, uid=uid)
    except PermissionDenied:
        raise _denied(request, "attachment.view") from None
    return file_response(attachment, handle)


def file_response(attachment, handle) -> FileResponse:
    """The file streamed as a download under its own (checked) type, never rendered by the browser."""
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Length"] = str(attachment.size)
    response["Content-Disposition"] = content_disposition(services.download_name(attachment))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Opened directly, the file still runs nothing: no script, no plugin, no frame.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@never_cache
@login_required
@require_POST
def attachment_delete(request, uid: str):
    actor = request.actor
    try:
        attachment, owner, obj = services.attachment_get(actor=actor, uid=uid)
    except PermissionDenied:
        raise _denied(request, "attachment.view") from None
    back = _back(request, owner_page_url(owner.kind, owner.object_id(obj)))
    try:
        services.attachment_delete(actor=actor, uid=uid)
    except PermissionDenied:
        raise _denied(request, "attachment.delete") from None
    messages.success(request, _("“%(name)s” is removed.") % {"name": attachment.original_name})
    return redirect(back)
