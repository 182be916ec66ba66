"""Import members from a roster: upload, a check shown as a preview (header row, column mapping, first rows,
every problem), then confirm. Small files are checked and imported in the request; larger ones run as a
job that the page polls with htmx. See ``roster`` for the import and ``tasks`` for the jobs.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_htmx.http import HttpResponseClientRefresh

from gonghui.core import import_jobs, tabular_guard
from gonghui.core.forms import StyledForm, apply_validation_error
from gonghui.core.models import ImportJob
from gonghui.core.spreadsheets import XLSX_TYPE, content_disposition, export_filename, xlsx_response
from gonghui.core.views import requires
from gonghui.core.widgets import OrgPickerField
from gonghui.orgs.selectors import org_get

from . import roster, services, tasks


class UploadForm(StyledForm):
    union = OrgPickerField(label=gettext_lazy("Union the members join"), levels=services.MEMBER_UNIT_LEVELS,
                           active_only=True)
    file = forms.FileField(label=gettext_lazy("Roster (xlsx, xls, ods or csv)"))
    skip_invalid = forms.BooleanField(
        label=gettext_lazy("Import the valid rows even if some rows have problems"), required=False,
        help_text=gettext_lazy("Without this, any row with a problem means nothing is imported."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            tasks.check_upload(upload.name, upload.size)
        except ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["file"]) from None
        return upload


def _crumbs(*labels) -> list[dict]:
    return [{"label": _("Member list"), "url": reverse("members:list")},
            *({"label": label, "url": ""} for label in labels)]



@never_cache
@requires("member.import")
def import_upload(request):
    actor = request.actor
    initial = request.GET.get("union") or (actor.org.code if actor.org.level in services.MEMBER_UNIT_LEVELS else "")
    form = UploadForm(request.POST or None, request.FILES or None, actor=actor, initial={"union": initial})
    if request.method == "POST" and form.is_valid():
        union = org_get(actor=actor, code=form.cleaned_data["union"])
        upload = form.cleaned_data["file"]
        try:
            job = tasks.job_create(actor=actor, union=union, data=upload.read(), filename=upload.name,
                                   skip_invalid=form.cleaned_data["skip_invalid"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            tasks.job_start(job)
            return redirect("members:import_job", uid=job.uid)
    return render(request, "members/import.html", {
        "title": _("Import members"), "form": form, "columns": roster.COLUMNS,
        "required": [roster.BY_KEY[k].header for k in roster.REQUIRED],
        "max_mb": tabular_guard.megabytes(tasks.max_upload()), "breadcrumbs": _crumbs(_("Import members")),
    })


@never_cache
@requires("member.import")
def import_job(request, uid: str):
    actor = request.actor
    job = tasks.job_get(actor=actor, uid=uid)
    if request.method == "POST":
        return _act(request, job)
    stale = import_jobs.is_stale(job)
    finished = job.status in tasks.FINISHED or stale
    if request.htmx:
        if finished:
            return HttpResponseClientRefresh()
        return render(request, "members/import_progress.html", {"job": job})
    stage = job.options.get("stage", tasks.CHECK)
    return render(request, "members/import_job.html", {
        "title": _("Check the import") if stage == tasks.CHECK else _("Import members"),
        "job": job, "stage": stage, "finished": finished, "result": job.options.get("result") or {},
        "is_check": stage == tasks.CHECK, "mine": job.user_id == request.user.pk,
        "can_confirm": (stage == tasks.CHECK and job.status == ImportJob.Status.SUCCEEDED
                        and job.options.get("importable") and job.user_id == request.user.pk),
        "skip_invalid": job.options.get("skip_invalid", False),
        "can_import_valid": tasks.valid_rows_only(job) and job.user_id == request.user.pk,
        "interrupted": import_jobs.is_interrupted(job),
        "has_report": tasks.report_file(job) is not None,
        "breadcrumbs": _crumbs(_("Import members"), job.filename),
    })


def _act(request, job: ImportJob):
    actor = request.actor
    try:
        action = request.POST.get("action")
        if action == "cancel":
            tasks.job_cancel(actor=actor, job=job)
            messages.info(request, _("The import was cancelled; nothing was written."))
            return redirect("members:import")
        if action == "retry":
            job = tasks.job_retry(actor=actor, job=job)
            return redirect("members:import_job", uid=tasks.job_start(job, inline=False).uid)
        job = tasks.job_confirm(actor=actor, job=job, valid_only=action == "confirm_valid",
                                accept_over_employees=request.POST.get("accept_over_employees") == "1")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("members:import_job", uid=job.uid)
    job = tasks.job_start(job)
    if job.status == ImportJob.Status.SUCCEEDED:
        messages.success(request, job.message)
    elif job.status in tasks.FINISHED:
        messages.error(request, job.message)
    return redirect("members:import_job", uid=job.uid)


@requires("member.import")
def import_report(request, uid: str):
    job = tasks.job_get(actor=request.actor, uid=uid)
    path = tasks.report_file(job)
    if path is None:
        raise Http404
    stem = job.filename.rsplit(".", 1)[0]
    response = FileResponse(path.open("rb"), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition(
        export_filename(_("Import problems"), unit=job.org, extra=stem))
    response["Cache-Control"] = "no-store"
    return response


@requires("member.import")
def import_template(request):
    return xlsx_response(roster.template_xlsx(), _("member-roster-template") + ".xlsx")


urlpatterns = [
    path("members/import/", import_upload, name="import"),
    path("members/import/template.xlsx", import_template, name="import_template"),
    path("members/import/<str:uid>/", import_job, name="import_job"),
    path("members/import/<str:uid>/report.xlsx", import_report, name="import_report"),
]
