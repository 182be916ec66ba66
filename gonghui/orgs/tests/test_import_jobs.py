"""Large org imports run on the task worker: the upload is checked by a job the page polls, then confirmed and
imported by the same job; small files stay in the request."""

import io

import pytest
from django.urls import reverse

from gonghui.core import import_jobs
from gonghui.core.models import AuditEvent, ImportJob
from gonghui.orgs import tasks
from gonghui.orgs.models import Org
from gonghui.orgs.tests import test_import as base
from gonghui.orgs.tests.test_import import HEADER, make_user, xlsx

tree, staff_a = base.tree, base.staff_a  # the fixtures of the org import tests


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_INLINE_MAX_ROWS = 3  # so that a file of a few rows counts as large
    return tmp_path


def _file(n: int) -> io.BytesIO:
    upload = io.BytesIO(xlsx([HEADER, *([f"U9{i:02d}", "A110", f"新工会{i}", "基层工会", "企业"] for i in range(n))]))
    upload.name = "list.xlsx"
    return upload


def test_a_large_upload_is_checked_and_imported_by_the_worker(client, staff_a, django_capture_on_commit_callbacks):
    client.force_login(staff_a)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(reverse("orgs:import"), {"file": _file(5)})
    assert response.status_code == 302 and "?job=" in response.url
    job = ImportJob.objects.get(kind=tasks.KIND)
    assert job.status == "pending" and len(queued) == 1
    page = client.get(response.url).content.decode()
    assert 'id="import-progress"' in page and 'hx-trigger="every 2s"' in page
    queued[0]()  # the worker checks the file
    job.refresh_from_db()
    assert job.status == "succeeded" and not Org.objects.filter(code__startswith="U9").exists()
    assert client.get(response.url, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    preview = client.get(response.url)
    assert 'id="import-confirm"' in preview.content.decode() and preview.context["result"].total == 5
    token = preview.context["token"]
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(reverse("orgs:import"), {"token": token, "action": "confirm"})
    assert confirmed.url == response.url
    assert Org.objects.filter(code__startswith="U9").count() == 5
    assert client.get(response.url).url == reverse("orgs:tree")


def test_a_small_upload_stays_in_the_request(client, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("orgs:import"), {"file": _file(1)})
    assert response.status_code == 200 and 'id="import-confirm"' in response.content.decode()
    assert not ImportJob.objects.exists()


def test_another_user_cannot_follow_the_job(client, staff_a, tree, django_capture_on_commit_callbacks):
    client.force_login(staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        url = client.post(reverse("orgs:import"), {"file": _file(5)}).url
    client.force_login(make_user("staff_b", "federation_staff", tree["b"]))
    response = client.get(url)
    assert response.status_code == 302 and response.url == reverse("orgs:import")  # no such upload for them
    assert "preview" not in client.get(url, follow=True).content.decode()


def test_a_stale_org_job_is_swept(client, staff_a, settings, django_capture_on_commit_callbacks):
    client.force_login(staff_a)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("orgs:import"), {"file": _file(5)})
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=None)
    settings.IMPORT_JOB_STALE_MINUTES = 0
    assert import_jobs.import_jobs_sweep()["stale_import_jobs"] == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.options["stale"] and "请重新上传文件" in job.message
    # Its own kind's action, not the roster's.
    assert AuditEvent.objects.filter(action="org.import_interrupted", object_id=job.uid).exists()
    assert job.kind == tasks.KIND
