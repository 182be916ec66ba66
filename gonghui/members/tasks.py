"""Roster imports as jobs (``core.ImportJob``): the screen and the API upload a file, a job checks it and,
once confirmed (the screen) or at once (the API), imports it.

A job has a stage in its options: "check" (a dry run, shown as a preview) or "import". Small files run in
the request (no worker needed); larger ones are queued as the ``roster_job`` task (django-tasks: the
database backend needs ``gonghui db_worker``) and the page polls the job. The uploaded file is kept under
MEDIA_ROOT/imports/<uid>.<ext>, the problems report next to it; both are removed after ``KEEP_DAYS``.

Progress: the check phase runs outside any transaction and writes ``processed_rows`` after each batch; the
write phase is one transaction (so a crash leaves nothing) and only its start is reported ("Writing").
A queued job first counts the file's rows (streamed) so that its page shows them from the start.

Heartbeat: a running job stamps ``heartbeat_at`` when it starts and at each progress report. A worker killed
mid-job leaves it "running" with the registry untouched (the write's transaction rolls back);
``core.import_jobs.import_jobs_sweep`` (run by ``gonghui tick``) marks a running job without a heartbeat for
``IMPORT_JOB_STALE_MINUTES`` as failed, and its uploader may then retry it (the file is kept) or cancel it.
"""

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

from . import roster, services

KIND = roster.KIND
CHECK, IMPORT = "check", "import"
EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
KEEP_DAYS = 7
FINISHED = (ImportJob.Status.SUCCEEDED, ImportJob.Status.REFUSED, ImportJob.Status.FAILED)


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def max_upload() -> int:
    return tabular_guard.limits(KIND).max_upload  # settings.IMPORT_LIMITS, read at each call


def check_upload(filename: str, size: int) -> None:
    if not filename.lower().endswith(EXTENSIONS):
        raise ValidationError({"file": _("Choose an xlsx, xls, ods or csv file.")})
    if size > max_upload():
        raise tabular_guard.too_large_upload(max_upload())
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})


def job_create(*, actor, union, data: bytes, filename: str, stage: str = CHECK, skip_invalid: bool = False,
               dry_run: bool = False, accept_over_employees: bool = False) -> ImportJob:
    """Store the upload and create its job (pending). The caller starts it with ``job_start``."""
    actor.require("member.import")
    actor.require_covers(union.path)
    services.check_member_unit(union)
    check_upload(filename, len(data))
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    _sweep(target)
    uid = secrets.token_urlsafe(12)[:16]
    ext = Path(filename).suffix.lower()
    path = target / f"{uid}{ext}"
    path.write_bytes(data)
    return ImportJob.objects.create(
        uid=uid, kind=KIND, user=actor.user, grant=actor.grant, org=union, filename=Path(filename).name[:200],
        stored_path=str(path.relative_to(settings.MEDIA_ROOT)),
        options={"stage": CHECK if dry_run else stage, "skip_invalid": skip_invalid, "dry_run": dry_run,
                 "accept_over_employees": accept_over_employees,
                 "language": translation.get_language() or settings.LANGUAGE_CODE})


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
    return import_jobs.job_start(job, small=small, run=job_run, enqueue=lambda uid: roster_job.enqueue(uid),
                                 inline=inline)


def job_get(*, actor, uid: str) -> ImportJob:
    """A roster job whose union is in the actor's scope; 404 otherwise, exactly like a missing one."""
    return import_jobs.job_get(actor=actor, uid=uid, kind=KIND, perm="member.import")


def valid_rows_only(job: ImportJob) -> bool:
    """Whether a check that refused rows can still import its valid ones (without uploading the file again)."""
    result = job.options.get("result") or {}
    return (job.status == ImportJob.Status.REFUSED and job.options.get("stage") == CHECK
            and not result.get("fatal") and result.get("valid", 0) > 0)


def job_confirm(*, actor, job: ImportJob, valid_only: bool = False,
                accept_over_employees: bool = False) -> ImportJob:
    """Turn a checked job into the import itself. Only its uploader may, and only after a usable check; with
    ``valid_only``, after a check that refused rows, the valid rows alone. An import that would give the union
    more members than employees needs ``accept_over_employees``."""
    if job.user_id != getattr(actor.user, "pk", None):
        raise PermissionDenied("not the uploader")
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("org", "user").get(pk=job.pk)
        usable = (job.status == ImportJob.Status.SUCCEEDED and job.options.get("stage") == CHECK
                  and job.options.get("importable"))
        if not (usable or (valid_only and valid_rows_only(job))):
            raise ValidationError(_("This import cannot be confirmed: it was already confirmed, or the check "
                                    "found problems."), code="not_confirmable")
        if (job.options.get("result") or {}).get("over_employees") and not accept_over_employees:
            raise ValidationError(_("The import would give the union more members than employees: check the "
                                    "roster, or tick the box confirming that the figures are right."),
                                  code="over_employees")
        job.status, job.grant = ImportJob.Status.PENDING, actor.grant
        job.processed_rows, job.message, job.started_at, job.finished_at = 0, "", None, None
        job.options = {**job.options, "stage": IMPORT, "accept_over_employees": accept_over_employees,
                       "skip_invalid": bool(job.options.get("skip_invalid") or valid_only)}
        job.save(update_fields=["status", "grant", "processed_rows", "message", "started_at", "finished_at",
                                "options"])
    return job


def job_cancel(*, actor, job: ImportJob) -> None:
    """Cancel a checked import that was not confirmed, or an interrupted one (stale, or already swept)."""
    if job.user_id != getattr(actor.user, "pk", None):
        raise PermissionDenied("not the uploader")
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        stage = job.options.get("stage", CHECK)
        if not (import_jobs.is_interrupted(job) or (stage == CHECK and job.status != ImportJob.Status.RUNNING)):
            raise ValidationError(_("Only a checked import that was not confirmed, or an interrupted one, can be "
                                    "cancelled."), code="not_cancellable")
        import_jobs.save(job, status=ImportJob.Status.FAILED, message=_("Cancelled; nothing was written.")[:500],
                         finished_at=timezone.now(), options={**job.options, "stale": False, "cancelled": True})
        _audit_job(actor, job, "member.import_cancel")
    (Path(settings.MEDIA_ROOT) / job.stored_path).unlink(missing_ok=True)


def job_retry(*, actor, job: ImportJob) -> ImportJob:
    """Run an interrupted job again from the kept file (its uploader only). Returns it pending, to start."""
    if job.user_id != getattr(actor.user, "pk", None):
        raise PermissionDenied("not the uploader")
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("org", "user").get(pk=job.pk)
        if not import_jobs.is_interrupted(job):
            raise ValidationError(_("Only an interrupted import can be retried."), code="not_retryable")
        if not (Path(settings.MEDIA_ROOT) / job.stored_path).is_file():
            raise ValidationError(_("The uploaded file is no longer available; upload it again."), code="gone")
        import_jobs.save(job, status=ImportJob.Status.PENDING, grant=actor.grant, processed_rows=0, message="",
                         started_at=None, finished_at=None, heartbeat_at=None, options={**job.options, "stale": False})
        _audit_job(actor, job, "member.import_retry")
    return job


def _audit_job(actor, job: ImportJob, action: str) -> None:
    audit.record(actor=actor, action=action, object_type="import_job", object_id=job.uid,
                 scope_path=job.org.path, details={"file": job.filename[:200], "union": job.org.code})


def report_file(job: ImportJob) -> Path | None:
    if not job.report_path:
        return None
    path = Path(settings.MEDIA_ROOT) / job.report_path
    return path if path.is_file() else None


def job_run(uid: str) -> ImportJob:
    """Run a pending job: the check, or the import. Safe to call twice (a job runs once)."""
    return import_jobs.run_once(uid, kind=KIND, body=_run)


def _run(job: ImportJob, actor) -> None:
    stage = job.options.get("stage", CHECK)

    def progress(phase: str, done: int, expected: int) -> None:
        values = {"processed_rows": done, "total_rows": expected}
        if phase == "write":
            values["message"] = _("Writing to the registry…")
        import_jobs.heartbeat(job, **values)

    try:
        data = Path(settings.MEDIA_ROOT) / job.stored_path  # streamed from disk: a large roster is never held whole
        if not data.is_file():
            raise FileNotFoundError(data)
        if not job.total_rows:  # the page shows the rows found from the start, not "about 0"
            import_jobs.heartbeat(job, total_rows=tabular.count_rows(data, job.filename, kind=KIND))
        result = roster.roster_import(actor=actor, union=job.org, data=data, filename=job.filename,
                                      dry_run=stage == CHECK, skip_invalid=bool(job.options.get("skip_invalid")),
                                      accept_over_employees=bool(job.options.get("accept_over_employees")),
                                      progress=progress)
    except OSError:
        import_jobs.fail(job, _("The uploaded file is no longer available; upload it again."))
        return
    except (ValidationError, PermissionDenied, Http404) as exc:
        if isinstance(exc, ValidationError):
            message = "; ".join(exc.messages)
        elif isinstance(exc, Http404):
            message = _("The union is not in your scope.")
        else:
            message = _("You may not import members.")
        import_jobs.fail(job, message, options={**job.options, "code": getattr(exc, "code", "") or ""})
        return
    report_path = ""
    if result.problems:
        name = Path(job.stored_path).with_name(f"{job.uid}-report.xlsx")
        (Path(settings.MEDIA_ROOT) / name).write_bytes(roster.problems_report(result, data, job.filename))
        report_path = str(name)
    if stage == CHECK:
        status = ImportJob.Status.SUCCEEDED if result.importable else ImportJob.Status.REFUSED
    else:
        status = ImportJob.Status.SUCCEEDED if result.committed else ImportJob.Status.REFUSED
    code = "over_employees" if stage == IMPORT and result.blocked_over_employees and not result.problems else ""
    import_jobs.save(job, status=status, finished_at=timezone.now(), total_rows=result.total,
                     processed_rows=result.total, created_rows=result.created, updated_rows=result.updated,
                     refused_rows=result.refused, message=_outcome(result, stage)[:500], report_path=report_path,
                     options={**job.options, "importable": result.importable, "result": result.summary(), "code": code})


def _outcome(result: roster.RosterResult, stage: str) -> str:
    counts = {"total": result.total, "created": result.created, "updated": result.updated,
              "unchanged": result.unchanged, "refused": result.refused}
    if result.fatal:
        return result.problems[0].message if result.problems else _("The file cannot be imported.")
    if stage == CHECK:
        return _("Checked %(total)s rows: %(created)s to add, %(updated)s to update, %(unchanged)s unchanged, "
                 "%(refused)s refused.") % counts
    if result.committed:
        return _("Imported: %(created)s added, %(updated)s updated, %(unchanged)s unchanged, %(refused)s "
                 "refused.") % counts
    if result.blocked_over_employees and (result.ok or result.skip_invalid):
        return _("Not imported; nothing was written.") + " " + result.over_employees_message()
    return _("Refused: %(refused)s rows have problems; nothing was written.") % counts


@task()
def roster_job(job_uid: str) -> None:
    """The queued form of ``job_run``."""
    job_run(job_uid)
