"""Large org imports on the task worker: a web upload above IMPORT_INLINE_MAX_BYTES, or with at least
IMPORT_INLINE_MAX_ROWS rows (counted by streaming), is checked, and once confirmed imported, by the ``org_job``
task (django-tasks) instead of inside the request; the page polls the job (``core.ImportJob``, kind
``orgs.import``). The upload stays where the screen keeps it (MEDIA_ROOT/imports/<token>.bin); the result of
a run is kept next to it as JSON, from which the screen shows the same preview as for a small file.

``gonghui orgs import`` keeps importing in-process. A job whose worker dies is swept by ``gonghui tick`` like a
roster job (``core.import_jobs.import_jobs_sweep`` covers every kind); the import is one transaction, so nothing
was written.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from gonghui.core import import_jobs, tabular
from gonghui.core.models import ImportJob

from . import importer

KIND = "orgs.import"
CHECK, IMPORT = "check", "import"
FINISHED = (ImportJob.Status.SUCCEEDED, ImportJob.Status.REFUSED, ImportJob.Status.FAILED)


def in_background(path: Path, filename: str) -> bool:
    """Whether a web upload is too large to check inside the request (by size, or by its rows counted by
    streaming). A file refused by the bomb checks stays in the request: it is refused before it is parsed."""
    max_rows = settings.IMPORT_INLINE_MAX_ROWS
    try:
        if path.stat().st_size > settings.IMPORT_INLINE_MAX_BYTES:
            return True
        return tabular.count_rows(path, filename, kind=importer.KIND, limit=max_rows) >= max_rows
    except (OSError, ValidationError):
        return False


def job_start(*, actor, token: str, stored: Path, filename: str, stage: str) -> ImportJob:
    """A pending job for the stored upload, queued once the request's transaction commits."""
    actor.require("org.import")
    job = ImportJob.objects.create(
        uid=token[:16], kind=KIND, user=actor.user, grant=actor.grant, org=actor.org, filename=filename[:200],
        stored_path=str(stored.relative_to(settings.MEDIA_ROOT)),
        options={"stage": stage, "token": token,
                 "language": translation.get_language() or settings.LANGUAGE_CODE})
    transaction.on_commit(lambda: org_job.enqueue(job.uid))
    return job


def job_restart(job: ImportJob, *, actor, stage: str) -> ImportJob:
    """The same upload's job run again, as the import itself once its check is confirmed."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.PENDING, grant=actor.grant, processed_rows=0, message="", started_at=None,
        finished_at=None, heartbeat_at=None, options={**job.options, "stage": stage, "stale": False})
    transaction.on_commit(lambda: org_job.enqueue(job.uid))
    job.refresh_from_db()
    return job


def job_for(*, actor, token: str) -> ImportJob | None:
    """The job of this upload, started by this user acting for this unit (else None, like no job)."""
    job = ImportJob.objects.filter(uid=token[:16], kind=KIND, user=actor.user).select_related("org").first()
    if job is None or job.org_id != actor.org.pk or job.options.get("token") != token:
        return None
    return job


def _result_path(job: ImportJob) -> Path:
    return (Path(settings.MEDIA_ROOT) / job.stored_path).with_suffix(".result.json")


def job_result(job: ImportJob) -> importer.ImportResult | None:
    """The result the worker kept, as the importer returned it (for the preview)."""
    try:
        data = json.loads(_result_path(job).read_text())
    except (OSError, ValueError):
        return None
    return importer.ImportResult(
        filename=data["filename"], header_row=data["header_row"], total=data["total"], created=data["created"],
        updated=data["updated"], unchanged=data["unchanged"], dry_run=data["dry_run"],
        committed=data["committed"], preview=data["preview"],
        columns=[importer.MappedColumn(**c) for c in data["columns"]],
        problems=[importer.Problem(**p) for p in data["problems"]])


def _keep(job: ImportJob, result: importer.ImportResult) -> None:
    data = {"filename": result.filename, "header_row": result.header_row, "total": result.total,
            "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            "dry_run": result.dry_run, "committed": result.committed, "preview": result.preview,
            "columns": [{"index": c.index, "header": c.header, "key": c.key} for c in result.columns],
            "problems": [{"row": p.row, "column": str(p.column), "value": str(p.value), "message": str(p.message)}
                         for p in result.problems]}
    _result_path(job).write_text(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))


def job_run(uid: str) -> ImportJob:
    """Run a pending org job (its check, or its import). Safe to call twice (a job runs once)."""
    return import_jobs.run_once(uid, kind=KIND, body=_run)


def _run(job: ImportJob, actor) -> None:
    stage = job.options.get("stage", CHECK)
    try:
        data = (Path(settings.MEDIA_ROOT) / job.stored_path).read_bytes()  # at most the kind's upload limit
        result = importer.org_import(actor=actor, data=data, filename=job.filename, dry_run=stage == CHECK)
    except OSError:
        message = _("The uploaded file is no longer available; upload it again.")
    except PermissionDenied:
        message = _("You may not import unions.")
    except ValidationError as exc:
        message = "; ".join(exc.messages)
    else:
        _keep(job, result)
        ok = result.committed if stage == IMPORT else result.ok
        import_jobs.save(job, status=ImportJob.Status.SUCCEEDED if ok else ImportJob.Status.REFUSED,
              finished_at=timezone.now(), total_rows=result.total, processed_rows=result.total,
              created_rows=result.created, updated_rows=result.updated, refused_rows=result.problem_rows)
        return
    import_jobs.fail(job, message)


@task()
def org_job(job_uid: str) -> None:
    """The queued form of ``job_run``."""
    job_run(job_uid)
