"""Funds API under /api/v1/funds/: journal import.

``POST /journal/imports`` (multipart: file, org, year, dry_run) uploads a journal and returns its job (202);
``GET /journal/imports/{uid}`` follows it (status, counts, the sub-accounts created, the first problems);
``GET /journal/imports/{uid}/report`` is the xlsx error report; ``POST /journal/imports/{uid}/confirm`` imports
a job uploaded as a dry run. The job runs in the background (``journal.jobs``), all or nothing.
"""

import datetime

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from gonghui.core.models import ImportJob
from gonghui.core.spreadsheets import XLSX_TYPE
from gonghui.orgs.selectors import org_get

from .journal import jobs

router = Router(tags=["funds"])


class JournalProblemOut(Schema):
    sheet: str = Field(description='"" for the journal sheet, "预算" for the budget sheet')
    row: int
    column: str
    code: str
    message: str
    value: str


class JournalJobOut(Schema):
    uid: str
    status: ImportJob.Status
    stage: str = Field(description='"check" (a dry run, nothing is written) or "import"')
    filename: str
    org: str
    year: int
    vouchers: int
    lines: int
    created_accounts: list[str]
    budget_lines: int
    refused_rows: int
    message: str
    problems_total: int
    problems: list[JournalProblemOut]
    report_url: str | None
    created_at: datetime.datetime
    finished_at: datetime.datetime | None


def _out(request, job: ImportJob) -> dict:
    result = job.options.get("result") or {}
    report = None
    if jobs.report_file(job) is not None:
        report = request.build_absolute_uri(reverse("api:funds_journal_report", kwargs={"uid": job.uid}))
    return {
        "uid": job.uid, "status": job.status, "stage": job.options.get("stage", jobs.CHECK), "filename": job.filename,
        "org": job.org.code, "year": int(job.options.get("year") or 0), "vouchers": result.get("vouchers", 0),
        "lines": result.get("lines", 0), "created_accounts": result.get("created_accounts", []),
        "budget_lines": result.get("budget_lines", 0), "refused_rows": job.refused_rows, "message": job.message,
        "problems_total": result.get("problems_total", 0), "problems": result.get("problems", []),
        "report_url": report, "created_at": job.created_at, "finished_at": job.finished_at,
    }


@router.post("/journal/imports", response={202: JournalJobOut}, summary="Upload a journal (序时账) to import")
def journal_import_create(request, file: File[UploadedFile], org: Form[str], year: Form[int],
                          dry_run: Form[bool] = False):
    """Import the journal in ``file`` (xlsx, xls or csv) into the books of union ``org`` for ``year``, all or
    nothing; ``dry_run`` only checks it (confirm it later). Follow the returned job."""
    actor = request.auth
    actor.require("funds.write")
    union = org_get(actor=actor, code=org.strip().upper())
    jobs.check_upload(file.name or "", file.size or 0)
    job = jobs.job_create(actor=actor, org=union, year=year, data=file.read(), filename=file.name,
                          stage=jobs.CHECK if dry_run else jobs.IMPORT)
    jobs.job_start(job, inline=False)
    return Status(202, _out(request, job))


@router.get("/journal/imports/{uid}", response=JournalJobOut, summary="A journal import: status, counts, problems")
def journal_import_status(request, uid: str):
    return _out(request, jobs.job_get(actor=request.auth, uid=uid))


@router.post("/journal/imports/{uid}/confirm", response={202: JournalJobOut}, summary="Import a checked journal")
def journal_import_confirm(request, uid: str):
    actor = request.auth
    job = jobs.job_confirm(actor=actor, job=jobs.job_get(actor=actor, uid=uid))
    jobs.job_start(job, inline=False)
    return Status(202, _out(request, job))


@router.get("/journal/imports/{uid}/report", summary="The error report (xlsx)", response={200: None},
            url_name="funds_journal_report")
def journal_import_report(request, uid: str):
    job = jobs.job_get(actor=request.auth, uid=uid)
    path = jobs.report_file(job)
    if path is None:
        raise Http404
    stem = job.filename.rsplit(".", 1)[0] or "journal"
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{stem}-{_('problems')}.xlsx",
                        content_type=XLSX_TYPE)
