import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from gonghui.core.access import actor_for
from gonghui.core.models import ImportJob
from gonghui.core.users_services import api_token_create
from gonghui.funds.models import Account, Voucher

from .journal_files import YONYOU_HEADER, kingdee_csv, xlsx, yonyou_xlsx

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("zh-hans"):
        yield tmp_path


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def bad_file() -> bytes:
    return xlsx({"凭证": [YONYOU_HEADER, ["2026-04-01", "记-1", "x", "", "业务支出-培训", 10, "", "", "", "", "", ""],
                         ["2026-04-01", "记-1", "x", "", "银行存款", "", 9, "", "", "", "", ""]]})


def test_check_then_confirm_on_the_page(cast, login):
    client = login(cast.grassroots_officer)
    page = client.get(reverse("funds:journal_import"))
    assert page.status_code == 200 and "导入" in page.content.decode()
    response = client.post(reverse("funds:journal_import"),
                           {"union": "GA", "year": 2026, "file": upload("j.xlsx", yonyou_xlsx())})
    assert response.status_code == 302
    body = client.get(response.url).content.decode()
    assert 'id="journal-confirm"' in body and "职工活动支出-节日慰问-春节慰问" in body
    assert not Voucher.objects.exists()
    done = client.post(response.url, {"action": "confirm"}, follow=True).content.decode()
    assert Voucher.objects.filter(org=cast.grassroots_a).count() == 3
    assert 'id="journal-ok"' in done and Account.objects.filter(org=cast.grassroots_a).count() == 1


def test_refused_rows_are_listed_with_a_report(cast, login):
    client = login(cast.grassroots_officer)
    response = client.post(reverse("funds:journal_import"),
                           {"union": "GA", "year": 2026, "file": upload("bad.xlsx", bad_file())})
    body = client.get(response.url).content.decode()
    assert 'data-code="unbalanced"' in body and 'id="journal-confirm"' not in body
    uid = response.url.rstrip("/").rsplit("/", 1)[-1]
    report = client.get(reverse("funds:journal_report", args=[uid]))
    assert report.status_code == 200 and report["Content-Type"] == XLSX
    assert client.post(response.url, {"action": "confirm"}).status_code == 302
    assert not Voucher.objects.exists()


def test_bad_input_is_refused_on_the_form(cast, login):
    client = login(cast.grassroots_officer)
    for data in ({"union": "GA", "year": 2026, "file": upload("notes.pdf", b"%PDF-1.4")},
                 {"union": "GA", "year": 1900, "file": upload("k.csv", kingdee_csv())},
                 {"union": "GA", "year": 2026}):
        response = client.post(reverse("funds:journal_import"), data)
        assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_permissions_on_the_pages(cast, client, login):
    url = reverse("funds:journal_import")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    ga = login(cast.grassroots_officer)
    response = ga.post(url, {"union": "GB", "year": 2026, "file": upload("k.csv", kingdee_csv())})
    assert response.status_code == 200 and not ImportJob.objects.exists()  # another union: not in the picker
    job_url = ga.post(url, {"union": "GA", "year": 2026, "file": upload("k.csv", kingdee_csv())}).url
    uid = job_url.rstrip("/").rsplit("/", 1)[-1]
    client.force_login(cast.officer_b)
    assert client.get(job_url).status_code == 404
    assert client.post(job_url, {"action": "confirm"}).status_code == 404
    assert client.get(reverse("funds:journal_report", args=[uid])).status_code == 404
    client.force_login(cast.auditor_a)
    assert client.get(url).status_code == 403
    assert not Voucher.objects.exists()


@pytest.fixture
def token():
    def make(user):
        _t, secret = api_token_create(actor=actor_for(user), name="财务软件")
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    return make


def test_api_upload_and_follow(cast, client, token, django_capture_on_commit_callbacks):
    auth = token(cast.grassroots_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/funds/journal/imports",
                               {"file": upload("k.csv", kingdee_csv()), "org": "GA", "year": "2026"}, **auth)
    assert response.status_code == 202, response.content
    uid = response.json()["uid"]
    status = client.get(f"/api/v1/funds/journal/imports/{uid}", **auth).json()
    assert (status["status"], status["stage"], status["vouchers"], status["lines"]) == ("succeeded", "import", 2, 4)
    assert Voucher.objects.filter(org=cast.grassroots_a).count() == 2


def test_api_dry_run_refused_and_confirm(cast, client, token, django_capture_on_commit_callbacks):
    auth = token(cast.grassroots_officer)
    with django_capture_on_commit_callbacks(execute=True):
        uid = client.post("/api/v1/funds/journal/imports", {"file": upload("bad.xlsx", bad_file()), "org": "GA",
                                                            "year": "2026", "dry_run": "true"}, **auth).json()["uid"]
    status = client.get(f"/api/v1/funds/journal/imports/{uid}", **auth).json()
    assert status["status"] == "refused" and status["problems"][0]["code"] == "unbalanced"
    assert client.get(status["report_url"], **auth).status_code == 200
    assert client.post(f"/api/v1/funds/journal/imports/{uid}/confirm", **auth).status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        uid = client.post("/api/v1/funds/journal/imports", {"file": upload("j.xlsx", yonyou_xlsx()), "org": "GA",
                                                            "year": "2026", "dry_run": "true"}, **auth).json()["uid"]
    assert not Voucher.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/funds/journal/imports/{uid}/confirm", **auth).status_code == 202
    assert Voucher.objects.count() == 3


def test_api_permissions(cast, client, token, django_capture_on_commit_callbacks):
    data = {"file": upload("k.csv", kingdee_csv()), "org": "GA", "year": "2026"}
    assert client.post("/api/v1/funds/journal/imports", data).status_code == 401
    data["file"] = upload("k.csv", kingdee_csv())
    assert client.post("/api/v1/funds/journal/imports", data, **token(cast.officer_b)).status_code == 404
    data = {"file": upload("k.csv", kingdee_csv()), "org": "GB", "year": "2026"}
    assert client.post("/api/v1/funds/journal/imports", data, **token(cast.grassroots_officer)).status_code == 404
    data = {"file": upload("k.csv", kingdee_csv()), "org": "GA", "year": "2026"}
    assert client.post("/api/v1/funds/journal/imports", data, **token(cast.auditor_a)).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        uid = client.post("/api/v1/funds/journal/imports", {**data, "file": upload("k.csv", kingdee_csv())},
                          **token(cast.grassroots_officer)).json()["uid"]
    assert client.get(f"/api/v1/funds/journal/imports/{uid}", **token(cast.officer_b)).status_code == 404
    assert client.get(f"/api/v1/funds/journal/imports/{uid}").status_code == 401
