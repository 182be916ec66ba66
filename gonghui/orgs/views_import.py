"""Import unions from a spreadsheet: upload, a dry run shown as a preview, then confirm (or fetch the report).

The upload is kept on disk under MEDIA_ROOT/imports/<token>.bin between the preview and the confirmation,
not in the session (files can be large); the session maps the token to who uploaded it for which unit.
A large upload (``tasks.in_background``) is checked, and once confirmed imported, by the task worker while the
page polls its job (?job=<token>).
"""

import re
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_htmx.http import HttpResponseClientRefresh

from gonghui.core import tabular_guard
from gonghui.core.forms import StyledForm
from gonghui.core.models import ImportJob
from gonghui.core.spreadsheets import export_filename, xlsx_response
from gonghui.core.views import requires

from . import importer, sheets, tasks

SESSION_KEY = "orgs_imports"
KEEP_SECONDS = 24 * 3600
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def _max_upload() -> int:
    return tabular_guard.limits(importer.KIND).max_upload  # settings.IMPORT_LIMITS, read at each request


class UploadForm(StyledForm):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (xlsx, xls, ods or csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("Choose an xlsx, xls, ods or csv file."))
        if upload.size > _max_upload():
            raise forms.ValidationError(tabular_guard.too_large_upload(_max_upload()).message_dict["file"])
        return upload


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _path(token: str) -> Path:
    return _folder() / f"{token}.bin"


def _store(request, data: bytes, filename: str) -> str:
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    _path(token).write_bytes(data)
    uploads = request.session.get(SESSION_KEY, {})
    uploads[token] = {"user": request.user.pk, "org": request.actor.org.code, "name": filename[:200]}
    request.session[SESSION_KEY] = uploads
    return token


def _sweep(folder: Path) -> None:
    """Remove uploads nobody confirmed within a day."""
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.glob("*.bin"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def _load(request, token: str) -> tuple[bytes, str] | None:
    """The stored upload for this token, if this user stored it while acting for the current unit."""
    entry = request.session.get(SESSION_KEY, {}).get(token) if _TOKEN.fullmatch(token or "") else None
    if not entry or entry["user"] != request.user.pk or entry["org"] != request.actor.org.code:
        return None
    try:
        return _path(token).read_bytes(), entry["name"]
    except OSError:
        return None


def _discard(request, token: str) -> None:
    uploads = request.session.get(SESSION_KEY, {})
    if uploads.pop(token, None) is not None:
        request.session[SESSION_KEY] = uploads
    if _TOKEN.fullmatch(token or ""):
        _path(token).unlink(missing_ok=True)


def _gone(request):
    messages.error(request, _("The uploaded file is no longer available; upload it again."))
    return redirect("orgs:import")


def _crumbs(*labels) -> list[dict]:
    return [{"label": label, "url": ""} for label in labels]


@never_cache
@requires("org.import")
def import_upload(request):
    actor = request.actor
    if token := request.GET.get("report"):
        return _report(request, token)
    if token := request.GET.get("job"):
        return _job(request, token)
    if request.method == "POST" and (token := request.POST.get("token")):
        if request.POST.get("action") == "cancel":
            _cancel_job(request, token)
            _discard(request, token)
            messages.info(request, _("The import was cancelled; nothing was written."))
            return redirect("orgs:import")
        return _confirm(request, token)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        token = _store(request, data, upload.name)
        if tasks.in_background(_path(token), upload.name):  # a large file: checked by the task worker
            tasks.job_start(actor=actor, token=token, stored=_path(token), filename=upload.name, stage=tasks.CHECK)
            return redirect(f"{reverse('orgs:import')}?job={token}")
        try:
            result = importer.org_import(actor=actor, data=data, filename=upload.name, dry_run=True)
        except importer.ImportFileError as exc:
            _discard(request, token)
            form.add_error("file", exc)
        else:
            return _preview(request, result, token)
    return render(request, "orgs/import.html", {
        "title": _("Import unions"), "form": form, "columns": importer.COLUMNS,
        "required": [importer.BY_KEY[k].header for k in importer.REQUIRED],
        "max_mb": tabular_guard.megabytes(_max_upload()),
        "breadcrumbs": _crumbs(_("Import unions")),
    })


def _preview(request, result: importer.ImportResult, token: str, status: int = 200):
    return render(request, "orgs/import_preview.html", {
        "title": _("Check the import"), "result": result, "token": token,
        "mapped_headers": [c.header for c in result.columns if c.key],
        "breadcrumbs": _crumbs(_("Import unions"), _("Check")),
    }, status=status)


def _owned(request, token: str):
    """The job of an upload this user stored while acting for the current unit, or None."""
    entry = request.session.get(SESSION_KEY, {}).get(token) if _TOKEN.fullmatch(token or "") else None
    if not entry or entry["user"] != request.user.pk or entry["org"] != request.actor.org.code:
        return None
    return tasks.job_for(actor=request.actor, token=token)


def _job(request, token: str):
    """A large upload's job: a page polling it, then its preview, or the outcome of its import."""
    job = _owned(request, token)
    if job is None:
        return _gone(request)
    if job.status not in tasks.FINISHED:
        if request.htmx:
            return render(request, "orgs/import_progress.html", {"job": job, "token": token})
        return render(request, "orgs/import_wait.html", {
            "title": _("Import unions"), "job": job, "token": token,
            "breadcrumbs": _crumbs(_("Import unions"), _("Check"))})
    if request.htmx:
        return HttpResponseClientRefresh()
    result = tasks.job_result(job)
    if job.status == ImportJob.Status.FAILED or result is None:
        _discard(request, token)
        messages.error(request, job.message or _("The uploaded file is no longer available; upload it again."))
        return redirect("orgs:import")
    if job.options.get("stage") == tasks.IMPORT:
        if result.committed:
            _discard(request, token)
            return _imported(request, result)
        messages.error(request, _("The import was refused; nothing was written."))
        return _preview(request, result, token, status=422)
    return _preview(request, result, token)


def _cancel_job(request, token: str) -> None:
    job = _owned(request, token)
    if job is not None:
        ImportJob.objects.filter(pk=job.pk).exclude(status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED, message=_("Cancelled; nothing was written."),
            finished_at=timezone.now())


def _imported(request, result: importer.ImportResult):
    messages.success(request, _("Imported %(total)s rows: %(created)s unions added, %(updated)s updated, "
                                "%(unchanged)s unchanged.") % {
        "total": result.total, "created": result.created, "updated": result.updated,
        "unchanged": result.unchanged})
    return redirect("orgs:tree")


def _confirm(request, token: str):
    job = _owned(request, token)
    if job is not None:  # a large upload: imported by the task worker too
        if job.status != ImportJob.Status.SUCCEEDED or job.options.get("stage") != tasks.CHECK:
            return _gone(request)
        tasks.job_restart(job, actor=request.actor, stage=tasks.IMPORT)
        return redirect(f"{reverse('orgs:import')}?job={token}")
    loaded = _load(request, token)
    if loaded is None:
        return _gone(request)
    data, filename = loaded
    try:
        result = importer.org_import(actor=request.actor, data=data, filename=filename)
    except importer.ImportFileError:
        _discard(request, token)
        return _gone(request)
    if not result.committed:
        # The tree changed since the preview (or someone else imported the same codes): show why.
        messages.error(request, _("The import was refused; nothing was written."))
        return _preview(request, result, token, status=422)
    _discard(request, token)
    return _imported(request, result)


def _report(request, token: str):
    loaded = _load(request, token)
    if loaded is None:
        return _gone(request)
    data, filename = loaded
    job = _owned(request, token)
    try:
        rows = importer.read_sheet(data, filename)
        # A large upload's check was kept by the worker: the report does not run it again in the request.
        result = (tasks.job_result(job) if job is not None else None) or importer.org_import(
            actor=request.actor, data=data, filename=filename, dry_run=True)
    except importer.ImportFileError:
        return _gone(request)
    return xlsx_response(sheets.problems_report(result, rows),
                         export_filename(_("Import problems"), unit=request.actor.org, extra=Path(filename).stem))


@requires("org.import")
def import_template(request):
    content = sheets.template_xlsx(parent_code=request.actor.org.code)
    return xlsx_response(content, _("union-import-template") + ".xlsx")
