"""Roster import on screen (upload → preview → confirm) and through the API (upload → job)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent, ImportJob
from gonghui.core.users_services import api_token_create
from gonghui.members import tasks
from gonghui.members.models import Membership, Person
from gonghui.members.tests.factories import add_member, resident_id
from gonghui.members.tests.test_roster import HEADER, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield tmp_path


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX)


def good_file(n: int = 2) -> bytes:
    return xlsx([["东湖机械厂工会会员名册"], HEADER, *([f"人{i}", resident_id(), "", "2021-03-05"] for i in range(n))])


def bad_file() -> bytes:
    return xlsx([HEADER, ["甲", resident_id(), "", ""], ["乙", "1234", "", ""], ["丙", resident_id(), "", ""]])


# --- the screen ----------------------------------------------------------------------------------------------


def test_upload_preview_then_confirm(cast, login):
    client = login(cast.grassroots_officer)
    page = client.get(reverse("members:import"))
    assert page.status_code == 200 and 'name="union" value="GA"' in page.content.decode()
    response = client.post(reverse("members:import"), {"union": "GA", "file": upload("名册.xlsx", good_file())})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("members:import_job", args=[job.uid])
    assert (job.status, job.options["stage"], job.total_rows) == ("succeeded", "check", 2)
    assert Person.objects.count() == 0  # the check wrote nothing
    page = client.get(response.url).content.decode()
    assert 'id="import-header-row" data-row="2"' in page
    assert 'id="import-mapping"' in page and "入会时间" in page
    assert 'id="import-rows"' in page and "人1" in page
    assert 'id="import-confirm"' in page and 'id="import-problems"' not in page
    response = client.post(reverse("members:import_job", args=[job.uid]), {"action": "confirm"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.options["stage"], job.created_rows) == ("succeeded", "import", 2)
    assert Membership.objects.filter(union=cast.grassroots_a).count() == 2
    page = client.get(reverse("members:import_job", args=[job.uid])).content.decode()
    assert 'id="import-done"' in page and 'id="import-confirm"' not in page
    # Confirming twice does not import twice; a finished import cannot be cancelled.
    client.post(reverse("members:import_job", args=[job.uid]), {"action": "confirm"})
    client.post(reverse("members:import_job", args=[job.uid]), {"action": "cancel"})
    job.refresh_from_db()
    assert job.status == "succeeded" and Membership.objects.count() == 2


def test_problems_are_listed_and_only_the_valid_rows_can_be_confirmed(cast, login):
    client = login(cast.grassroots_officer)
    response = client.post(reverse("members:import"), {"union": "GA", "file": upload("r.xlsx", bad_file())})
    job = ImportJob.objects.get()
    assert job.status == "refused" and job.refused_rows == 1
    page = client.get(response.url).content.decode()
    assert 'id="import-problems"' in page and 'id="import-refused"' in page
    assert 'value="confirm_valid"' in page and 'value="confirm">' not in page  # 只导入无误的行, nothing else
    assert 'data-code="id_number"' in page or "身份证号" in page
    report = client.get(reverse("members:import_report", args=[job.uid]))
    assert report.status_code == 200 and report["Content-Type"] == XLSX
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(report.streaming_content))).get_sheet_by_index(0)
    rows = rows.to_python()
    assert rows[0][:2] == ["行号", "问题"] and rows[1][0] == 3
    assert client.post(response.url, {"action": "confirm"}).status_code == 302
    assert Person.objects.count() == 0


def test_skip_invalid_checkbox_imports_the_valid_rows(cast, login):
    client = login(cast.grassroots_officer)
    response = client.post(reverse("members:import"), {"union": "GA", "skip_invalid": "on",
                                                       "file": upload("r.xlsx", bad_file())})
    job = ImportJob.objects.get()
    assert job.status == "succeeded" and job.options["importable"]
    page = client.get(response.url).content.decode()
    assert 'id="import-confirm"' in page and 'id="import-problems"' in page
    client.post(response.url, {"action": "confirm"})
    job.refresh_from_db()
    assert (job.status, job.created_rows, job.refused_rows) == ("succeeded", 2, 1)
    assert Person.objects.count() == 2


def test_cancel_discards_the_upload(cast, login, media):
    client = login(cast.grassroots_officer)
    response = client.post(reverse("members:import"), {"union": "GA", "file": upload("r.xlsx", good_file())})
    job = ImportJob.objects.get()
    assert (media / job.stored_path).exists()
    assert client.post(response.url, {"action": "cancel"}).url == reverse("members:import")
    job.refresh_from_db()
    assert job.status == "failed" and not (media / job.stored_path).exists()
    assert Person.objects.count() == 0


def test_an_active_member_of_this_union_is_updated_on_screen(cast, login):
    m = add_member(cast.grassroots_officer, cast.grassroots_a, name="李强")
    client = login(cast.grassroots_officer)
    data = xlsx([["姓名", "身份证号", "岗位"], ["李强", m.person.id_number, "钳工"]])
    response = client.post(reverse("members:import"), {"union": "GA", "file": upload("r.xlsx", data)})
    assert 'id="import-updated">1<' in client.get(response.url).content.decode()
    client.post(response.url, {"action": "confirm"})
    m.refresh_from_db()
    assert m.job_title == "钳工" and Membership.objects.count() == 1


def test_a_big_file_is_queued_and_the_page_polls(cast, login, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_INLINE_MAX_ROWS = 1
    client = login(cast.grassroots_officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("members:import"), {"union": "GA", "file": upload("r.xlsx", good_file(3))})
    job = ImportJob.objects.get()
    assert job.status == "pending" and len(callbacks) == 1
    page = client.get(response.url).content.decode()
    assert 'hx-trigger="every 2s"' in page and "<progress" in page
    partial = client.get(response.url, HTTP_HX_REQUEST="true")
    assert 'id="import-progress"' in partial.content.decode() and "<html" not in partial.content.decode()
    callbacks[0]()  # the worker picks the task up (ImmediateBackend in the tests)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.processed_rows == 3
    assert client.get(response.url, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {"action": "confirm"})
    job.refresh_from_db()
    assert (job.status, job.created_rows) == ("succeeded", 3)
    assert Membership.objects.count() == 3


def test_an_unreadable_upload_fails_the_job_with_a_message(cast, login):
    client = login(cast.grassroots_officer)
    response = client.post(reverse("members:import"), {"union": "GA", "file": upload("r.xlsx", b"PK\x03\x04 junk")})
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.options["code"] == "unreadable"
    assert 'id="import-failed"' in client.get(response.url).content.decode()


def test_wrong_extension_is_a_form_error(cast, login):
    client = login(cast.grassroots_officer)
    response = client.post(reverse("members:import"), {"union": "GA", "file": upload("r.pdf", b"%PDF")})
    assert response.status_code == 200 and ImportJob.objects.count() == 0


def test_the_template_download(cast, login):
    response = login(cast.grassroots_officer).get(reverse("members:import_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:2] == ["姓名", "身份证号"]


def test_permissions_on_the_screens(cast, login, client):
    url = reverse("members:import")
    response = client.get(url)
    assert response.status_code == 302 and "login" in response.url
    assert login(cast.auditor_a).get(url).status_code == 403
    # Another county's union is "not found" next to the field (the picker), the same as a missing one.
    refused = login(cast.officer_b).post(url, {"union": "GA", "file": upload("r.xlsx", good_file())})
    assert refused.status_code == 200 and "No unit found" in refused.content.decode()  # this module runs in English
    assert "东湖机械厂" not in refused.content.decode()
    assert ImportJob.objects.count() == 0
    # A job is visible only to users whose scope covers its union.
    job = tasks.job_create(actor=actor_for(cast.grassroots_officer), union=cast.grassroots_a, data=good_file(),
                           filename="r.xlsx")
    tasks.job_start(job)
    for name in ("members:import_job", "members:import_report"):
        assert login(cast.officer_b).get(reverse(name, args=[job.uid])).status_code == 404
    page = login(cast.officer_a).get(reverse("members:import_job", args=[job.uid]))
    assert page.status_code == 200
    assert 'id="import-ok"' in page.content.decode() and 'id="import-confirm"' not in page.content.decode()
    # Only the uploader confirms.
    assert login(cast.officer_a).post(reverse("members:import_job", args=[job.uid]),
                                      {"action": "confirm"}).status_code == 403
    assert Person.objects.count() == 0


# --- the API -------------------------------------------------------------------------------------------------


@pytest.fixture
def token(cast):
    def make(user):
        _t, secret = api_token_create(actor=actor_for(user), name="名册系统")
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    return make


def test_api_upload_then_follow_the_job(cast, client, token, django_capture_on_commit_callbacks):
    auth = token(cast.officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/members/imports", {"file": upload("r.xlsx", good_file(2)), "org": "GA"},
                               **auth)
    assert response.status_code == 202, response.content
    uid = response.json()["uid"]
    status = client.get(f"/api/v1/members/imports/{uid}", **auth).json()
    assert (status["status"], status["stage"], status["created_rows"], status["processed_rows"]) == (
        "succeeded", "import", 2, 2)
    assert status["header_row"] == 2 and status["report_url"] is None
    assert Membership.objects.filter(union=cast.grassroots_a).count() == 2
    assert AuditEvent.objects.filter(action="member.import").count() == 1


def test_api_refused_rows_and_report(cast, client, token, django_capture_on_commit_callbacks):
    auth = token(cast.grassroots_officer)
    with django_capture_on_commit_callbacks(execute=True):
        uid = client.post("/api/v1/members/imports", {"file": upload("r.xlsx", bad_file()), "org": "GA"},
                          **auth).json()["uid"]
    status = client.get(f"/api/v1/members/imports/{uid}", **auth).json()
    assert (status["status"], status["refused_rows"], status["problems_total"]) == ("refused", 1, 1)
    assert status["problems"][0]["row"] == 3 and status["problems"][0]["field"] == "id_number"
    assert status["report_url"].endswith(f"/api/v1/members/imports/{uid}/report")
    report = client.get(f"/api/v1/members/imports/{uid}/report", **auth)
    assert report.status_code == 200
    assert Person.objects.count() == 0


def test_api_dry_run_then_confirm_with_skip_invalid(cast, client, token, django_capture_on_commit_callbacks):
    auth = token(cast.grassroots_officer)
    with django_capture_on_commit_callbacks(execute=True):
        uid = client.post("/api/v1/members/imports", {"file": upload("r.xlsx", bad_file()), "org": "GA",
                                                      "dry_run": "true", "skip_invalid": "true"}, **auth).json()["uid"]
    status = client.get(f"/api/v1/members/imports/{uid}", **auth).json()
    assert (status["status"], status["stage"], status["skip_invalid"]) == ("succeeded", "check", True)
    assert Person.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/members/imports/{uid}/confirm", **auth).status_code == 202
    status = client.get(f"/api/v1/members/imports/{uid}", **auth).json()
    assert (status["status"], status["stage"], status["created_rows"], status["refused_rows"]) == (
        "succeeded", "import", 2, 1)


def test_api_permissions(cast, client, token):
    files = {"file": upload("r.xlsx", good_file()), "org": "GA"}
    assert client.post("/api/v1/members/imports", files).status_code == 401
    assert client.post("/api/v1/members/imports", files, **token(cast.officer_b)).status_code == 404
    files["file"].seek(0)
    assert client.post("/api/v1/members/imports", files, **token(cast.auditor_a)).status_code == 403
    files["file"].seek(0)
    files["org"] = "CA"  # in scope, but not a union that takes members
    assert client.post("/api/v1/members/imports", files, **token(cast.officer_a)).status_code == 422
    job = tasks.job_create(actor=actor_for(cast.grassroots_officer), union=cast.grassroots_a, data=good_file(),
                           filename="r.xlsx")
    assert client.get(f"/api/v1/members/imports/{job.uid}", **token(cast.officer_b)).status_code == 404
    assert client.get(f"/api/v1/members/imports/{job.uid}").status_code == 401
    assert client.get(f"/api/v1/members/imports/{job.uid}", **token(cast.officer_a)).status_code == 200
