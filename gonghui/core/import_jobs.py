"""Import jobs' heartbeat and the sweep of those whose worker stopped, for every kind of import job.

A running job stamps ``ImportJob.heartbeat_at`` when it is claimed and at each progress report. A worker killed
mid-job leaves it "running" (its write, one transaction, rolled back); ``import_jobs_sweep`` (run by
``gonghui tick``) marks a running job silent for ``IMPORT_JOB_STALE_MINUTES`` as failed. What the uploader is
told then, and the audit action recorded, depend on the kind: the apps register them here (core never imports
the apps above it).
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit, tabular
from .access import SYSTEM, Actor, actor_for
from .models import ImportJob

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InterruptedKind:
    message: str  # lazy: translated in the language the sweep runs in
    action: str


_KINDS: dict[str, InterruptedKind] = {}
# A kind no app registered (an app removed since): the job still fails, with the plainest advice.
_DEFAULT = InterruptedKind(
    message=gettext_lazy("The import was interrupted (its background worker stopped); nothing was written. Upload "
                         "the file again."), action="core.import_interrupted")


def register(kind: str, *, message, action: str) -> None:
    """What an interrupted job of ``kind`` tells its uploader, and the audit action that records it."""
    _KINDS[kind] = InterruptedKind(message=message, action=action)


def interrupted_kind(kind: str) -> InterruptedKind:
    return _KINDS.get(kind, _DEFAULT)


def save(job: ImportJob, **values) -> None:
    """Set and store ``values`` on the job at once (outside the import's transaction: the page polls them)."""
    for k, v in values.items():
        setattr(job, k, v)
    ImportJob.objects.filter(pk=job.pk).update(**values)


def fail(job: ImportJob, message, **values) -> None:
    save(job, status=ImportJob.Status.FAILED, finished_at=timezone.now(), message=str(message)[:500], **values)


def run_once(uid: str, *, kind: str, body: Callable[[ImportJob, Actor], None]) -> ImportJob:
    """Claim a pending job of ``kind`` and run ``body(job, actor)`` as the user who started it, in the language
    they started it in. Safe to call twice (a job runs once). A user who no longer holds the role, or an error in
    the body (whose import transaction has rolled back: nothing was written), fails the job."""
    job = ImportJob.objects.select_related("org", "user").get(uid=uid, kind=kind)
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=now, heartbeat_at=now, processed_rows=0)
    if not claimed:
        return job
    job.refresh_from_db()
    with translation.override(job.options.get("language") or settings.LANGUAGE_CODE):
        try:
            actor = actor_for(job.user, job.grant_id)
            if actor.grant is None or actor.grant.pk != job.grant_id:
                fail(job, _("The user no longer holds the role the import was started with."))
            else:
                body(job, actor)
        except Exception:
            log.exception("import job %s (%s) failed", job.uid, kind)
            fail(job, _("The import failed because of an internal error; nothing was written."))
    return job


def heartbeat(job: ImportJob, **values) -> None:
    """Save progress with a fresh heartbeat, outside any transaction so that the sweep's connection sees it."""
    save(job, heartbeat_at=timezone.now(), **values)


def cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(minutes=settings.IMPORT_JOB_STALE_MINUTES)


def last_sign_of_life(job: ImportJob) -> datetime.datetime:
    """Its heartbeat, else its start, else its creation."""
    return job.heartbeat_at or job.started_at or job.created_at


def is_stale(job: ImportJob, now: datetime.datetime | None = None) -> bool:
    return job.status == ImportJob.Status.RUNNING and last_sign_of_life(job) < cutoff(now)


def _stale(limit: datetime.datetime) -> Q:
    # The same rule as last_sign_of_life, written so that the partial index on running jobs' heartbeats serves it.
    silent = Q(heartbeat_at__isnull=True) & (Q(started_at__lt=limit)
                                             | Q(started_at__isnull=True, created_at__lt=limit))
    return Q(status=ImportJob.Status.RUNNING) & (Q(heartbeat_at__lt=limit) | silent)


def interrupt(job: ImportJob, now: datetime.datetime) -> bool:
    """Mark one stale job failed, only if it is still running and has not beaten since it was read: a worker
    that reported meanwhile keeps its job. Returns whether it was marked."""
    kind = interrupted_kind(job.kind)
    done = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING, heartbeat_at=job.heartbeat_at).update(
        status=ImportJob.Status.FAILED, finished_at=now, options={**job.options, "stale": True},
        message=str(kind.message)[:500])
    if done:
        audit.record(actor=SYSTEM, action=kind.action, object_type="import_job", object_id=job.uid,
                     scope_path=job.org.path, details={"file": job.filename[:200], "union": job.org.code})
    return bool(done)


def import_jobs_sweep(now: datetime.datetime | None = None) -> dict:
    """The sweep (``gonghui tick``): running import jobs of any kind without a heartbeat for
    IMPORT_JOB_STALE_MINUTES are marked failed. Their write, one transaction, died with the worker: nothing was
    written. Safe to run again."""
    now = now or timezone.now()
    swept = sum(interrupt(job, now) for job in ImportJob.objects.filter(_stale(cutoff(now))).select_related("org"))
    return {"stale_import_jobs": swept}


def is_interrupted(job: ImportJob) -> bool:
    """Stale now, or already failed by the sweep."""
    return is_stale(job) or (job.status == ImportJob.Status.FAILED and bool(job.options.get("stale")))



def job_small(job: ImportJob, *, kind: str) -> bool:
    """Whether the job may run inside the request: a file of at most IMPORT_INLINE_MAX_BYTES whose rows, counted
    by streaming it (never from what the file claims) as a table of ``kind``, are fewer than
    IMPORT_INLINE_MAX_ROWS. A file refused by the bomb checks runs inline too: it is refused before it is parsed."""
    path = Path(settings.MEDIA_ROOT) / job.stored_path
    max_rows = settings.IMPORT_INLINE_MAX_ROWS
    try:
        if path.stat().st_size > settings.IMPORT_INLINE_MAX_BYTES:
            return False
        return tabular.count_rows(path, job.filename, kind=kind, limit=max_rows) < max_rows
    except (OSError, ValidationError):
        return True  # the run reports the unreadable file at once


def job_start(job: ImportJob, *, small: Callable[[ImportJob], bool], run: Callable[[str], ImportJob],
              enqueue: Callable[[str], object], inline: bool | None = None) -> ImportJob:
    """Run the job now (``run``, when ``small`` says so or ``inline``) or queue it (``enqueue``, the app's task)
    for a worker once the current transaction commits."""
    if inline is None:
        inline = small(job)
    if inline:
        return run(job.uid)
    transaction.on_commit(lambda: enqueue(job.uid))
    return job


def job_get(*, actor: Actor, uid: str, kind: str, perm: str) -> ImportJob:
    """A job of ``kind`` whose union is in the actor's scope, for an actor with ``perm``; 404 otherwise, exactly
    like a missing one."""
    actor.require(perm)
    job = ImportJob.objects.select_related("org", "user").filter(uid=uid, kind=kind).first()
    if job is None or not actor.covers(job.org.path):
        raise Http404
    return job
