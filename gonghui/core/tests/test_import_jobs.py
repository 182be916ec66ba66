"""The import jobs' heartbeat column and the stale-job sweep in core (every kind, messages from the apps' registry),
and the partial indexes behind the sweep and the menu badges."""

import datetime
import importlib

import pytest
from django.utils import timezone, translation

from gonghui.core import import_jobs
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent, ImportJob


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def _job(cast, kind: str, **values) -> ImportJob:
    actor = actor_for(cast.grassroots_officer)
    values.setdefault("status", ImportJob.Status.RUNNING)
    return ImportJob.objects.create(uid=f"J{ImportJob.objects.count():05d}", kind=kind, user=actor.user,
                                    grant=actor.grant, org=cast.grassroots_a, filename="名单.xlsx",
                                    stored_path="imports/x.xlsx", **values)


def _ago(minutes: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=minutes)


def test_the_sweep_fails_only_running_jobs_silent_past_the_limit(cast, settings):
    settings.IMPORT_JOB_STALE_MINUTES = 15
    silent = _job(cast, "members.roster", heartbeat_at=_ago(20), started_at=_ago(30))
    fresh = _job(cast, "members.roster", heartbeat_at=_ago(5), started_at=_ago(30))
    never_beat = _job(cast, "orgs.import", started_at=_ago(20))  # no heartbeat: its start counts
    pending = _job(cast, "members.roster", status=ImportJob.Status.PENDING, created_at=_ago(60))
    done = _job(cast, "members.roster", status=ImportJob.Status.SUCCEEDED, heartbeat_at=_ago(60))

    assert import_jobs.import_jobs_sweep() == {"stale_import_jobs": 2}
    for job in (silent, fresh, never_beat, pending, done):
        job.refresh_from_db()
    assert (silent.status, never_beat.status) == ("failed", "failed")
    assert (fresh.status, pending.status, done.status) == ("running", "pending", "succeeded")
    assert silent.options["stale"] and "重试或取消" in silent.message  # members registered a retry
    assert "请重新上传文件" in never_beat.message  # orgs registered "upload again"
    assert AuditEvent.objects.filter(action="member.import_interrupted", object_id=silent.uid).exists()
    assert AuditEvent.objects.filter(action="org.import_interrupted", object_id=never_beat.uid).exists()
    assert import_jobs.import_jobs_sweep() == {"stale_import_jobs": 0}  # safe to run again


def test_a_worker_that_beats_after_the_sweep_read_its_job_keeps_it(cast, settings):
    settings.IMPORT_JOB_STALE_MINUTES = 15
    job = _job(cast, "members.roster", heartbeat_at=_ago(20), started_at=_ago(30))
    seen = ImportJob.objects.select_related("org").get(pk=job.pk)  # the sweep's snapshot: stale
    assert import_jobs.is_stale(seen)
    import_jobs.heartbeat(ImportJob.objects.get(pk=job.pk), processed_rows=10)  # the worker reports meanwhile

    assert import_jobs.interrupt(seen, timezone.now()) is False
    job.refresh_from_db()
    assert (job.status, job.processed_rows) == ("running", 10) and not import_jobs.is_stale(job)
    assert not AuditEvent.objects.filter(object_id=job.uid).exists()


def test_a_kind_no_app_registered_still_fails_with_plain_advice(cast, settings):
    settings.IMPORT_JOB_STALE_MINUTES = 0
    job = _job(cast, "gone.kind", heartbeat_at=_ago(1))
    assert import_jobs.import_jobs_sweep()["stale_import_jobs"] == 1
    job.refresh_from_db()
    assert job.status == "failed" and "请重新上传文件" in job.message
    assert AuditEvent.objects.filter(action="core.import_interrupted", object_id=job.uid).exists()


def test_heartbeat_stamps_the_column_and_saves_progress(cast):
    job = _job(cast, "members.roster")
    assert job.heartbeat_at is None
    import_jobs.heartbeat(job, total_rows=7)
    stored = ImportJob.objects.get(pk=job.pk)
    assert stored.heartbeat_at == job.heartbeat_at and stored.total_rows == 7 and "heartbeat" not in stored.options


def test_the_running_jobs_index_holds_only_the_rows_the_sweep_reads():
    index = next(i for i in ImportJob._meta.indexes if i.name == "core_importjob_running_beat")
    assert index.fields == ["heartbeat_at"] and dict(index.condition.children) == {"status": "running"}


def test_the_migration_moves_the_heartbeat_from_the_options_to_its_column(cast):
    from django.apps import apps

    migration = importlib.import_module("gonghui.core.migrations.0009_importjob_heartbeat")
    beat = _ago(3)
    job = _job(cast, "members.roster", options={"stage": "import", "heartbeat": beat.isoformat()})
    never = _job(cast, "orgs.import", options={"heartbeat": None})
    migration.heartbeat_to_column(apps, None)
    job.refresh_from_db()
    never.refresh_from_db()
    assert job.heartbeat_at == beat and job.options == {"stage": "import"}
    assert never.heartbeat_at is None and never.options == {}
