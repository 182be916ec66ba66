"""The attachments page, the upload / download / delete doors and the API: scoped, refused outside, audited, and
downloads that a browser saves instead of rendering."""

import pytest
from django.urls import path
from django.utils import translation
from ninja import NinjaAPI

import gonghui.funds.attachments_funds  # noqa: F401  (registers "funds.voucher", as FundsConfig.ready will)
from config import urls as project_urls
from gonghui import api as project_api
from gonghui.core.access import actor_for
from gonghui.core.api_attachments import router
from gonghui.core.attachments import services
from gonghui.core.models import Attachment, AuditEvent, Role
from gonghui.core.views_attachments import owner_page_url
from gonghui.funds.models import Voucher
from gonghui.funds.testing import expense
from gonghui.testing import _user

from .test_attachments import XML_INVOICE, pdf_bytes, png_bytes

# The API as the lead mounts it (gonghui/api.py: api.add_router("/attachments", ...)), on the project's auth,
# parser and error handlers, in a URL conf of this module until then.
_api = NinjaAPI(urls_namespace="api", auth=project_api.api.auth, parser=project_api.NoNulParser(),
                title="attachments test", version="test")
_api._exception_handlers = dict(project_api.api._exception_handlers)
_api.add_router("/attachments", router)
urlpatterns = [path("api/v1/", _api.urls),
               *(p for p in project_urls.urlpatterns if str(getattr(p, "pattern", "")) != "api/v1/")]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture
def voucher(cast):
    return expense(cast.grassroots_officer, cast.grassroots_a, "1130.00", summary="购办公用品")


@pytest.fixture
def outsider(cast):
    return _user("grassroots_b", "乙厂工会主席", Role.UNION_OFFICER, cast.grassroots_b)


def _attach(user, voucher, name="发票.pdf", data=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return services.attachment_upload(actor=actor_for(user), kind="funds.voucher", object_id=str(voucher.pk),
                                      upload=SimpleUploadedFile(name, data or pdf_bytes()))


def _post_file(client, voucher, name, data, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/attachments/upload/", {"kind": "funds.voucher", "id": str(voucher.pk),
                                                "file": SimpleUploadedFile(name, data, content_type="image/png"),
                                                **extra})


def test_the_owner_page_lists_files_and_offers_the_upload_form(cast, login, voucher):
    a = _attach(cast.grassroots_officer, voucher)
    resp = login(cast.grassroots_officer).get(owner_page_url("funds.voucher", voucher.pk))
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "记-0001" in html and "发票.pdf" in html and f"/attachments/{a.uid}/download/" in html
    assert 'id="attachment-upload"' in html and 'enctype="multipart/form-data"' in html
    assert "csrfmiddlewaretoken" in html and "<script>" not in html.split("</main>")[0]
    assert "不能删除" in html and "/delete/" not in html  # a voucher's files are kept for good


def test_the_auditor_sees_the_files_without_the_upload_form(cast, login, voucher):
    _attach(cast.grassroots_officer, voucher)
    html = login(cast.auditor_a).get(owner_page_url("funds.voucher", voucher.pk)).content.decode()
    assert "发票.pdf" in html and 'id="attachment-upload"' not in html


def test_upload_through_the_page_redirects_back_and_counts(cast, login, voucher):
    client = login(cast.grassroots_officer)
    back = owner_page_url("funds.voucher", voucher.pk)
    resp = _post_file(client, voucher, "会议纪要.png", png_bytes(), note="党组会纪要", next=back)
    assert resp.status_code == 302 and resp["Location"] == back
    a = Attachment.objects.get()
    assert (a.original_name, a.content_type, a.note) == ("会议纪要.png", "image/png", "党组会纪要")
    assert Voucher.objects.get(pk=voucher.pk).attachment_count == 1
    page = client.get(back).content.decode()
    assert "已上传" in page and "会议纪要.png" in page


def test_a_hostile_upload_comes_back_with_a_chinese_message_naming_the_file(cast, login, voucher):
    client = login(cast.grassroots_officer)
    with translation.override("zh-hans"):
        resp = _post_file(client, voucher, "收据.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)'
                                                     b'</script></svg>', next="https://evil.example/")
    assert resp.status_code == 302 and resp["Location"] == owner_page_url("funds.voucher", voucher.pk)
    page = client.get(resp["Location"]).content.decode()
    assert "“收据.png”未被接收" in page
    assert not Attachment.objects.exists()
    resp = client.post("/attachments/upload/", {"kind": "funds.voucher", "id": str(voucher.pk)})
    assert resp.status_code == 302 and "请选择要上传的文件" in client.get(resp["Location"]).content.decode()


def test_download_is_a_download_with_the_chinese_name_and_is_audited(cast, login, voucher):
    a = _attach(cast.grassroots_officer, voucher, "增值税发票.xml", XML_INVOICE)
    resp = login(cast.officer_a).get(f"/attachments/{a.uid}/download/")
    assert resp.status_code == 200
    assert b"".join(resp.streaming_content) == XML_INVOICE
    assert resp["Content-Type"] == "application/xml"
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert resp["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E5%A2%9E%E5%80%BC%E7%A8%8E%E5%8F%91%E7%A5%A8.xml" in resp["Content-Disposition"]
    assert "no-store" in resp["Cache-Control"] and "sandbox" in resp["Content-Security-Policy"]
    event = AuditEvent.objects.get(action="attachment.download")
    assert (event.object_id, event.actor.username, event.details["file"]) == (a.uid, "officer_a", "增值税发票.xml")


def test_outside_the_scope_everything_is_404(cast, client, login, voucher, outsider):
    a = _attach(cast.grassroots_officer, voucher)
    urls = [f"/attachments/{a.uid}/download/", owner_page_url("funds.voucher", voucher.pk)]
    for user in (cast.officer_b, outsider):
        c = login(user)
        for url in urls:
            assert c.get(url).status_code == 404, (user, url)
        assert _post_file(c, voucher, "a.pdf", pdf_bytes()).status_code == 404
        assert c.post(f"/attachments/{a.uid}/delete/").status_code == 404
        c.logout()
    for url in urls:  # anonymous: sent to sign in, nothing shown
        resp = client.get(url)
        assert resp.status_code == 302 and resp["Location"].startswith("/login/")
    assert _post_file(client, voucher, "a.pdf", pdf_bytes()).status_code == 302
    assert not AuditEvent.objects.filter(action="attachment.download").exists()
    assert Attachment.objects.count() == 1


def test_without_the_permission_the_doors_refuse(cast, login, voucher):
    a = _attach(cast.grassroots_officer, voucher)
    c = login(cast.system_admin)  # covers the city, never sees the books
    assert c.get(f"/attachments/{a.uid}/download/").status_code == 403
    assert c.get(owner_page_url("funds.voucher", voucher.pk)).status_code == 403
    c = login(cast.auditor_a)
    assert _post_file(c, voucher, "a.pdf", pdf_bytes()).status_code == 403
    assert c.post(f"/attachments/{a.uid}/delete/").status_code == 403  # and a voucher's files are never removed
    c = login(cast.grassroots_officer)
    assert c.post(f"/attachments/{a.uid}/delete/").status_code == 403
    assert Attachment.objects.count() == 1
    assert AuditEvent.objects.filter(action="access.denied").count() == 5


@pytest.mark.parametrize("url", ["/attachments/", "/attachments/?kind=funds.voucher", "/attachments/?kind=nope&id=1",
                                 "/attachments/?kind=funds.voucher&id=abc", "/attachments/nope/download/",
                                 "/attachments/?kind=funds.voucher&id=99999999999999999999999999",
                                 "/attachments/?kind=funds.voucher&id=%D9%A1"])
def test_bad_addresses_are_404(cast, login, url):
    assert login(cast.officer_a).get(url).status_code == 404


# --- the API --------------------------------------------------------------------------------------------------


def test_api_lists_uploads_and_downloads(cast, login, voucher):
    client = login(cast.grassroots_officer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client.post("/api/v1/attachments", {"kind": "funds.voucher", "id": str(voucher.pk), "note": "原件",
                                                "file": SimpleUploadedFile("发票.pdf", pdf_bytes())})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (body["file_name"], body["content_type"], body["note"]) == ("发票.pdf", "application/pdf", "原件")
    listed = client.get(f"/api/v1/attachments?kind=funds.voucher&id={voucher.pk}").json()
    assert [x["uid"] for x in listed] == [body["uid"]]
    assert client.get(f"/api/v1/attachments/{body['uid']}").json()["sha256"] == body["sha256"]
    download = client.get(body["download"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes()
    assert download["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action="attachment.download", object_id=body["uid"]).count() == 1


def test_api_refuses_a_hostile_file_with_422_naming_it(cast, login, voucher):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(cast.grassroots_officer)
    with translation.override("zh-hans"):
        resp = client.post("/api/v1/attachments", {"kind": "funds.voucher", "id": str(voucher.pk),
                                                    "file": SimpleUploadedFile("发票.pdf", b"<html></html>")},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 422
    assert resp.json()["detail"][0]["field"] == "file" and "发票.pdf" in resp.json()["detail"][0]["message"]


def test_api_outside_the_scope_is_404_and_anonymous_401(cast, client, login, voucher, outsider):
    a = _attach(cast.grassroots_officer, voucher)
    for user in (cast.officer_b, outsider):
        c = login(user)
        assert c.get(f"/api/v1/attachments?kind=funds.voucher&id={voucher.pk}").status_code == 404
        assert c.get(f"/api/v1/attachments/{a.uid}").status_code == 404
        assert c.get(f"/api/v1/attachments/{a.uid}/download").status_code == 404
        c.logout()
    assert client.get(f"/api/v1/attachments/{a.uid}/download").status_code == 401
    assert login(cast.auditor_a).post("/api/v1/attachments", {"kind": "funds.voucher", "id": str(voucher.pk),
                                                               "file": _file()}).status_code == 403
    assert not AuditEvent.objects.filter(action="attachment.download").exists()


def _file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("a.pdf", pdf_bytes())
