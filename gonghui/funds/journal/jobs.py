"""Journal imports as jobs (``core.ImportJob`` of kind ``funds_journal``): the screen and the API upload a file,
a job checks it (a dry run: the summary and the sub-accounts it would create) and, once confirmed (the screen) or
at once (the API), imports it. Small files run in the request; larger ones go to the worker as the
``journal_job`` task. The upload is kept under MEDIA_ROOT/imports/ with its error report, for ``KEEP_DAYS``."""

import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.core import audit, import_jobs, tabular, tabular_guard
from gonghui.core.models import ImportJob

from .importer import JournalFileError, JournalResult, journal_import, problems_report
from .reading import KIND

CHECK, IMPORT = "check", "import"
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".csv")
KEEP_DAYS = 7
FINISHED = (ImportJob.Status.SUCCEEDED, ImportJob.Status.REFUSED, ImportJob.Status.FAILED)

def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def max_upload() -> int:
    return tabular_guard.limits(KIND).max_upload


def check_upload(filename: str, size: int) -> None:
    if not filename.lower().endswith(EXTENSIONS):
        raise ValidationError({"file": _("Choose an xlsx, xls or csv file.")})
    if size > max_upload():
        raise tabular_guard.too_large_upload(max_upload())
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})


def check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give the year of the books, such as 2026.")})
    return year


def job_create(*, actor, org, year: int, data: bytes, filename: str, stage: str = CHECK) -> ImportJob:
    """Store the upload and create its job (pending). The caller starts it with ``job_start``."""
    actor.require("funds.write")
    actor.require_covers(org.path)
    year = check_year(year)
    check_upload(filename, len(data))
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    _sweep(target)
    uid = secrets.token_urlsafe(12)[:16]
    path = target / f"{uid}{Path(filename).suffix.lower()}"
    path.write_bytes(data)
    return ImportJob.objects.create(
        uid=uid, kind=KIND, user=actor.user, grant=actor.grant, org=org, filename=Path(filename).name[:200],
        stored_path=str(path.relative_to(settings.MEDIA_ROOT)),
        options={"stage": stage, "year": year, "language": translation.get_language() or settings.LANGUAGE_CODE})


def _sweep(target: Path) -> None:
    cutoff = time.time() - KEEP_DAYS * 86400
    for path in target.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def small(job: ImportJob) -> bool:
    """Whether the job may run in the request (``core.import_jobs.job_small``)."""
    return import_jobs.job_small(job, kind=KIND)


def job_start(job: ImportJob, *, inline: bool | None = None) -> ImportJob:
    """Run the job now (small files) or queue it for a worker once the current transaction commits."""
    return import_jobs.job_start(job, small=small, run=job_run, enqueue=lambda uid: journal_job.enqueue(uid),
                                 inline=inline)


def job_get(*, actor, uid: str) -> ImportJob:
    """A journal job whose union is in the actor's scope; 404 otherwise, exactly like a missing one."""
    return import_jobs.job_get(actor=actor, uid=uid, kind=KIND, perm="funds.write")


def job_confirm(*, actor, job: ImportJob) -> ImportJob:
    """Turn a clean check into the import itself (its uploader only)."""
    if job.user_id != getattr(actor.user, "pk", None):
        raise PermissionDenied("not the uploader")
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("org", "user").get(pk=job.pk)
        if not (job.status == ImportJob.Status.SUCCEEDED and job.options.get("stage") == CHECK
                and job.options.get("importable")):
            raise ValidationError(_("This import cannot be confirmed: it was already confirmed, or the check "
                                    "found problems."), code="not_confirmable")
        job.status, job.grant = ImportJob.Status.PENDING, actor.grant
        job.processed_rows, job.message, job.started_at, job.finished_at = 0, "", None, None
        job.options = {**job.options, "stage": IMPORT}
        job.save(update_fields=["status", "grant", "processed_rows", "message", "started_at", "finished_at",
                                "options"])
    return job


def job_cancel(*, actor, job: ImportJob) -> None:
    """Cancel a checked import that was not confirmed, or an interrupted one."""
    if job.user_id != getattr(actor.user, "pk", None):
        raise PermissionDenied("not the uploader")
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("org").get(pk=job.pk)
        stage = job.options.get("stage", CHECK)
        if not (import_jobs.is_interrupted(job) or (stage == CHECK and job.status != ImportJob.Status.RUNNING)):
            raise ValidationError(_("Only a checked import that was not confirmed, or an interrupted one, can be "
                                    "cancelled."), code="not_cancellable")
        import_jobs.save(job, status=ImportJob.Status.FAILED, message=_("Cancelled; nothing was written.")[:500],
                         finished_at=timezone.now(), options={**job.options, "stale": False, "cancelled": True})
        audit.record(actor=actor, action="funds.journal_cancel", object_type="import_job", object_id=job.uid,
                     scope_path=job.org.path, details={"file": job.filename[:200], "union": job.org.code})
    (Path(settings.MEDIA_ROOT) / job.stored_path).unlink(missing_ok=True)


def report_file(job: ImportJob) -> Path | None:
    if not job.report_path:
        return None
    path = Path(settings.MEDIA_ROOT) / job.report_path
    return path if path.is_file() else None


def job_run(uid: str) -> ImportJob:
    return import_jobs.run_once(uid, kind=KIND, body=_run)


def _run(job: ImportJob, actor) -> None:
    stage = job.options.get("stage", CHECK)

    def progress(phase: str, done: int, expected: int) -> None:
        values = {"processed_rows": done}
        if phase == "write":
            values["message"] = _("Writing to the books…")
        import_jobs.heartbeat(job, **values)

    data = Path(settings.MEDIA_ROOT) / job.stored_path
    try:
        if not data.is_file():
            raise FileNotFoundError(data)
        if not job.total_rows:
            import_jobs.heartbeat(job, total_rows=tabular.count_rows(data, job.filename, kind=KIND))
        result = journal_import(actor=actor, org=job.org, year=int(job.options.get("year") or 0), data=data,
                                filename=job.filename, dry_run=stage == CHECK, progress=progress)
    except OSError:
        import_jobs.fail(job, _("The uploaded file is no longer available; upload it again."))
        return
    except (JournalFileError, ValidationError, PermissionDenied, Http404) as exc:
        if isinstance(exc, ValidationError):
            message = "; ".join(exc.messages)
        elif isinstance(exc, Http404):
            message = _("The union is not in your scope.")
        else:
            message = _("You may not import books.")
        import_jobs.fail(job, message, options={**job.options, "code": getattr(exc, "code", "") or ""})
        return
    report_path = ""
    if result.problems:
        name = Path(job.stored_path).with_name(f"{job.uid}-report.xlsx")
        (Path(settings.MEDIA_ROOT) / name).write_bytes(problems_report(result, data, job.filename))
        report_path = str(name)
    if stage == CHECK:
        status = ImportJob.Status.SUCCEEDED if result.importable else ImportJob.Status.REFUSED
    else:
        status = ImportJob.Status.SUCCEEDED if result.committed else ImportJob.Status.REFUSED
    import_jobs.save(job, status=status, finished_at=timezone.now(), total_rows=result.lines,
                     processed_rows=result.lines, created_rows=result.lines if result.committed else 0,
                     refused_rows=result.refused, message=outcome(result, stage)[:500], report_path=report_path,
                     options={**job.options, "importable": result.importable, "result": result.summary()})


def outcome(result: JournalResult, stage: str) -> str:
    counts = {"vouchers": result.vouchers, "lines": result.lines, "accounts": len(result.created_accounts),
              "budget": result.budget_lines, "refused": result.refused}
    if result.fatal:
        return result.problems[0].message if result.problems else _("The file cannot be imported.")
    if result.problems:
        return _("Refused: %(refused)s rows have problems; nothing was written.") % counts
    if stage == CHECK:
        return _("Checked: %(vouchers)s vouchers, %(lines)s lines, %(accounts)s sub-accounts to create, %(budget)s "
                 "budget lines. Nothing has been written yet.") % counts
    return _("Imported: %(vouchers)s vouchers, %(lines)s lines, %(accounts)s sub-accounts created, %(budget)s "
             "budget lines.") % counts


@task()
def journal_job(job_uid: str) -> None:
    """The queued form of ``job_run``."""
    job_run(job_uid)
