"""Roster imports through the API: upload a file (202 with a job), then follow the job.

Mounted at /api/v1/members: ``POST /imports`` (multipart: file, org, skip_invalid, dry_run), ``GET
/imports/{uid}`` (status, progress, counts, the first problems), ``GET /imports/{uid}/report`` (the xlsx
error report), ``POST /imports/{uid}/confirm`` (import a job that was uploaded as a dry run), ``POST
/imports/{uid}/retry`` and ``POST /imports/{uid}/cancel`` (an interrupted job). The job always runs in the
background (see ``tasks``).
"""

import datetime

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from gonghui.core.models import ImportJob
from gonghui.core.spreadsheets import XLSX_TYPE
from gonghui.orgs.selectors import org_get

from . import tasks

router = Router(tags=["members"])


class ProblemOut(Schema):
    row: int
    column: str
    field: str
    code: str
    message: str
    value: str = Field(description="the cell as written, ID and phone numbers masked")


class ImportJobOut(Schema):
    uid: str
    status: ImportJob.Status
    stage: str = Field(description='"check" (a dry run, nothing is written) or "import"')
    filename: str
    org: str
    skip_invalid: bool
    total_rows: int
    processed_rows: int
    created_rows: int
    updated_rows: int
    refused_rows: int
    message: str
    header_row: int | None
    over_employees: bool = Field(description="the import would give the union more members than employees: "
                                             "it needs accept_over_employees")
    members_after: int | None
    employees: int | None
    problems_total: int
    problems: list[ProblemOut]
    report_url: str | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None


def _out(request, job: ImportJob) -> dict:
    result = job.options.get("result") or {}
    report = None
    if tasks.report_file(job) is not None:
        report = request.build_absolute_uri(reverse("api:member_import_report", kwargs={"uid": job.uid}))
    return {
        "uid": job.uid, "status": job.status, "stage": job.options.get("stage", tasks.CHECK),
        "filename": job.filename, "org": job.org.code, "skip_invalid": bool(job.options.get("skip_invalid")),
        "total_rows": job.total_rows, "processed_rows": job.processed_rows, "created_rows": job.created_rows,
        "updated_rows": job.updated_rows, "refused_rows": job.refused_rows, "message": job.message,
        "header_row": result.get("header_row"), "problems_total": result.get("problems_total", 0),
        "over_employees": bool(result.get("over_employees")), "members_after": result.get("members_after"),
        "employees": result.get("employees"),
        "problems": result.get("problems", []), "report_url": report, "created_at": job.created_at,
        "started_at": job.started_at, "finished_at": job.finished_at,
    }


@router.post("/imports", response={202: ImportJobOut}, summary="Upload a roster to import")
def import_create(request, file: File[UploadedFile], org: Form[str], skip_invalid: Form[bool] = False,
                  dry_run: Form[bool] = False, accept_over_employees: Form[bool] = False):
    """Import the members of ``file`` (xlsx, xls, ods or csv) into the union ``org``. All or nothing unless
    ``skip_invalid``; ``dry_run`` only checks (confirm it later). An import that would give the union more
    members than employees is refused (code over_employees) unless ``accept_over_employees``. Follow the
    returned job."""
    actor = request.auth
    actor.require("member.import")
    union = org_get(actor=actor, code=org.strip().upper())
    tasks.check_upload(file.name or "", file.size or 0)
    job = tasks.job_create(actor=actor, union=union, data=file.read(), filename=file.name,
                           stage=tasks.IMPORT, skip_invalid=skip_invalid, dry_run=dry_run,
                           accept_over_employees=accept_over_employees)
    tasks.job_start(job, inline=False)
    return Status(202, _out(request, job))


@router.get("/imports/{uid}", response=ImportJobOut, summary="An import job: status, progress, problems")
def import_status(request, uid: str):
    job = tasks.job_get(actor=request.auth, uid=uid)
    return _out(request, job)


@router.post("/imports/{uid}/confirm", response={202: ImportJobOut}, summary="Import a checked roster")
def import_confirm(request, uid: str, valid_only: Form[bool] = False, accept_over_employees: Form[bool] = False):
    """Import a checked job; ``valid_only`` imports the valid rows of a check that refused some, without sending
    the file again; ``accept_over_employees`` confirms an import giving more members than employees."""
    actor = request.auth
    job = tasks.job_confirm(actor=actor, job=tasks.job_get(actor=actor, uid=uid), valid_only=valid_only,
                            accept_over_employees=accept_over_employees)
    tasks.job_start(job, inline=False)
    return Status(202, _out(request, job))


@router.post("/imports/{uid}/retry", response={202: ImportJobOut}, summary="Run an interrupted import again")
def import_retry(request, uid: str):
    """An import whose worker stopped (no heartbeat for IMPORT_JOB_STALE_MINUTES; nothing was written) runs
    again from the kept file."""
    actor = request.auth
    job = tasks.job_retry(actor=actor, job=tasks.job_get(actor=actor, uid=uid))
    tasks.job_start(job, inline=False)
    return Status(202, _out(request, job))


@router.post("/imports/{uid}/cancel", response=ImportJobOut, summary="Cancel a checked or interrupted import")
def import_cancel(request, uid: str):
    actor = request.auth
    job = tasks.job_get(actor=actor, uid=uid)
    tasks.job_cancel(actor=actor, job=job)
    job.refresh_from_db()
    return _out(request, job)


@router.get("/imports/{uid}/report", summary="The error report (xlsx)", response={200: None},
            url_name="member_import_report")
def import_report(request, uid: str):
    job = tasks.job_get(actor=request.auth, uid=uid)
    path = tasks.report_file(job)
    if path is None:
        raise Http404
    stem = job.filename.rsplit(".", 1)[0] or "roster"
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{stem}-{_('problems')}.xlsx",
                        content_type=XLSX_TYPE)
