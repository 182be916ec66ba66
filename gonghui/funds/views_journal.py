"""Import a union's journal (序时账): upload, a check shown first (vouchers, lines, the sub-accounts it would
create, every problem), then confirm. Small files run in the request; larger ones run as a job the page polls
(``journal.jobs``)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_htmx.http import HttpResponseClientRefresh

from gonghui.core import import_jobs, tabular_guard
from gonghui.core.forms import StyledForm, apply_validation_error
from gonghui.core.models import ImportJob
from gonghui.core.spreadsheets import XLSX_TYPE, content_disposition, export_filename
from gonghui.core.views import requires
from gonghui.core.widgets import OrgPickerField
from gonghui.orgs.selectors import org_get

from .journal import jobs, reading


class JournalUploadForm(StyledForm):
    union = OrgPickerField(label=gettext_lazy("Union whose books these are"), active_only=True)
    year = forms.IntegerField(label=gettext_lazy("Year of the books"), min_value=2000, max_value=2100)
    file = forms.FileField(label=gettext_lazy("Journal (xlsx, xls or csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            jobs.check_upload(upload.name, upload.size)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["file"] if hasattr(exc, "error_dict") else exc.messages) \
                from None
        return upload


def _crumbs(*labels) -> list[dict]:
    return [{"label": _("Import a journal"), "url": reverse("funds:journal_import")},
            *({"label": label, "url": ""} for label in labels)]


@never_cache
@requires("funds.write")
def journal_upload(request):
    actor = request.actor
    initial = {"union": request.GET.get("union") or actor.org.code, "year": timezone.localdate().year}
    form = JournalUploadForm(request.POST or None, request.FILES or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        org = org_get(actor=actor, code=form.cleaned_data["union"])
        upload = form.cleaned_data["file"]
        try:
            job = jobs.job_create(actor=actor, org=org, year=form.cleaned_data["year"], data=upload.read(),
                                  filename=upload.name)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            jobs.job_start(job)
            return redirect("funds:journal_job", uid=job.uid)
    columns = [{"header": names[0], "synonyms": names[1:], "required": key in reading.REQUIRED}
               for key, names in reading.COLUMNS.items()]
    return render(request, "funds/journal_import.html", {
        "title": _("Import a journal"), "form": form, "columns": columns,
        "max_mb": tabular_guard.megabytes(jobs.max_upload()), "breadcrumbs": _crumbs(),
    })


@never_cache
@requires("funds.write")
def journal_job(request, uid: str):
    actor = request.actor
    job = jobs.job_get(actor=actor, uid=uid)
    if request.method == "POST":
        return _act(request, job)
    stale = import_jobs.is_stale(job)
    finished = job.status in jobs.FINISHED or stale
    if request.htmx:
        if finished:
            return HttpResponseClientRefresh()
        return render(request, "funds/journal_progress.html", {"job": job})
    stage = job.options.get("stage", jobs.CHECK)
    mine = job.user_id == request.user.pk
    return render(request, "funds/journal_job.html", {
        "title": _("Check the journal") if stage == jobs.CHECK else _("Import a journal"),
        "job": job, "stage": stage, "is_check": stage == jobs.CHECK, "finished": finished, "mine": mine,
        "result": job.options.get("result") or {}, "year": job.options.get("year"),
        "can_confirm": (stage == jobs.CHECK and job.status == ImportJob.Status.SUCCEEDED
                        and job.options.get("importable") and mine),
        "interrupted": import_jobs.is_interrupted(job), "has_report": jobs.report_file(job) is not None,
        "breadcrumbs": _crumbs(job.filename),
    })


def _act(request, job: ImportJob):
    actor = request.actor
    try:
        if request.POST.get("action") == "cancel":
            jobs.job_cancel(actor=actor, job=job)
            messages.info(request, _("The import was cancelled; nothing was written."))
            return redirect("funds:journal_import")
        job = jobs.job_confirm(actor=actor, job=job)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("funds:journal_job", uid=job.uid)
    job = jobs.job_start(job)
    if job.status == ImportJob.Status.SUCCEEDED:
        messages.success(request, job.message)
    elif job.status in jobs.FINISHED:
        messages.error(request, job.message)
    return redirect("funds:journal_job", uid=job.uid)


@requires("funds.write")
def journal_report(request, uid: str):
    job = jobs.job_get(actor=request.actor, uid=uid)
    path = jobs.report_file(job)
    if path is None:
        raise Http404
    response = FileResponse(path.open("rb"), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition(
        export_filename(_("Journal import problems"), unit=job.org, extra=job.filename.rsplit(".", 1)[0]))
    response["Cache-Control"] = "no-store"
    return response
