"""400, 403, 404, CSRF and 500 pages: in Chinese, in the portal layout on public paths and the back-office layout
elsewhere, each with where to go next; the 500 page shows an incident number that is in the log, and renders
without the database or the session."""

import json
import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from gonghui.core import views as core_views


def _html(resp) -> str:
    return resp.content.decode()


def test_a_missing_page_for_staff_is_chinese_in_the_back_office(cast, login):
    resp = login(cast.officer_a).get("/orgs/NOPE/")
    html = _html(resp)
    assert resp.status_code == 404
    assert "页面不存在" in html and "Not Found" not in html
    assert 'id="menu"' in html  # the back-office layout, with the menu
    assert 'href="/"' in html and "返回首页" in html
    assert "no-store" in resp["Cache-Control"]


def test_out_of_scope_reads_like_missing_for_staff(cast, login):
    html = _html(login(cast.officer_b).get("/orgs/GA/"))
    assert "页面不存在" in html and "东湖机械厂" not in html


def test_a_missing_page_on_a_public_path_is_in_the_portal_layout(db):
    resp = Client().get("/join/NO-SUCH-UNION/")
    html = _html(resp)
    assert resp.status_code == 404
    assert "gh-public" in html and 'id="menu"' not in html
    assert "页面不存在" in html and 'href="/join/"' in html and 'href="/requests/track/"' in html


def test_a_missing_page_for_an_anonymous_visitor_offers_the_login(db):
    resp = Client().get("/no-such-page/")
    html = _html(resp)
    assert resp.status_code == 404
    assert "页面不存在" in html and 'href="/login/"' in html and 'id="menu"' not in html


def test_a_refusal_is_chinese_and_says_what_to_do(cast, login):
    resp = login(cast.grassroots_officer).get("/orgs/GA/move/")
    html = _html(resp)
    assert resp.status_code == 403
    assert "无权" in html and "Forbidden" not in html and 'id="menu"' in html
    assert "系统管理员" in html


def test_a_csrf_failure_is_chinese_with_a_way_back(db):
    resp = Client(enforce_csrf_checks=True).post("/requests/track/", {"code": "X"})
    html = _html(resp)
    assert resp.status_code == 403
    assert "表单已过期" in html and "CSRF" not in html and 'id="csrf-failure"' in html
    assert "gh-public" in html and 'href="/requests/track/"' in html


def test_a_csrf_failure_leads_back_to_the_form_not_to_the_post_only_address(cast, login):
    client = login(cast.officer_a)
    client.handler.enforce_csrf_checks = True
    resp = client.post("/logout/", HTTP_REFERER="http://testserver/orgs/?q=东湖")
    html = _html(resp)
    assert resp.status_code == 403 and 'id="csrf-failure"' in html
    assert 'href="/orgs/?q=东湖"' in html and 'href="/logout/"' not in html
    # Another site's address is no way back: the start page instead.
    html = _html(client.post("/logout/", HTTP_REFERER="https://evil.example.org/x"))
    assert "evil.example.org" not in html and 'href="/"' in html


def test_a_bad_request_is_chinese(db, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    resp = Client().get("/login/", HTTP_HOST="evil.example.org")
    assert resp.status_code == 400
    assert "请求无法处理" in _html(resp) and "Bad Request" not in _html(resp)


def _boom(*args, **kwargs):
    raise RuntimeError("the disk is on fire")


def _incident(html: str) -> str:
    start = html.index('id="incident"')
    return html[start:].split('<strong class="font-monospace">', 1)[1].split("<", 1)[0]


def test_a_server_error_shows_an_incident_number_that_is_in_the_log(db, monkeypatch, caplog):
    monkeypatch.setattr(core_views, "JsonResponse", _boom)
    with caplog.at_level(logging.ERROR, logger="gonghui.errors"):
        resp = Client(raise_request_exception=False).get("/healthz")
    html = _html(resp)
    assert resp.status_code == 500
    assert "系统出错" in html and "Server Error" not in html and 'href="/"' in html
    incident = _incident(html)
    assert len(incident) == 8
    records = [r for r in caplog.records if r.name == "gonghui.errors"]
    assert len(records) == 1 and incident in records[0].getMessage()
    assert records[0].exc_info and "the disk is on fire" in str(records[0].exc_info[1])


def test_a_server_error_on_a_public_path_is_in_the_portal_layout(db, monkeypatch):
    from gonghui.portal import views_join

    monkeypatch.setattr(views_join, "render", _boom)
    resp = Client(raise_request_exception=False).get("/join/")
    html = _html(resp)
    assert resp.status_code == 500
    assert "gh-public" in html and "系统出错" in html and 'href="/join/"' in html


class _NoSession:
    @property
    def user(self):
        raise AssertionError("the 500 page must not load the user (a session read may hit the database)")


def test_the_500_page_needs_neither_database_nor_session(db, django_assert_num_queries):
    request = RequestFactory().get("/members/")
    request.__class__ = type("NoSessionRequest", (request.__class__, _NoSession), {})
    try:
        raise RuntimeError("database is gone")
    except RuntimeError:
        with django_assert_num_queries(0):
            resp = core_views.server_error(request)
    assert resp.status_code == 500 and "系统出错" in _html(resp) and _incident(_html(resp))


def test_each_500_gets_its_own_incident_number():
    request = RequestFactory().get("/")
    numbers = {_incident(_html(core_views.server_error(request))) for _ in range(5)}
    assert len(numbers) == 5


def test_the_handlers_are_the_chinese_pages():
    from config import urls

    assert urls.handler400.endswith("bad_request") and urls.handler403.endswith("permission_denied")
    assert urls.handler404.endswith("page_not_found") and urls.handler500.endswith("server_error")
    assert settings.CSRF_FAILURE_VIEW == "gonghui.core.views.csrf_failure"


def test_the_rate_limit_page_matches_the_other_error_pages(rf):
    from gonghui.core.ratelimits import too_many

    request = rf.post("/requests/track/")
    html = _html(too_many(request))
    assert 'id="error-429"' in html and 'id="next-steps"' in html and "gh-public" in html


PRINT_DEMO_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({"DEBUG": settings.DEBUG, "USE_FINDERS": settings.WHITENOISE_USE_FINDERS}))
"""


def test_the_demo_runs_without_debug_and_still_serves_static_files():
    """The demo shows the real error pages (DEBUG off) and WhiteNoise serves the apps' static files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    env["GONGHUI_VAR_DIR"] = str(settings.VAR_DIR)  # the test run's, never the demo's var/
    done = subprocess.run([sys.executable, "-m", "gonghui", "shell", "-c", PRINT_DEMO_SETTINGS],  # noqa: S603
                          cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"DEBUG": False, "USE_FINDERS": True}


@pytest.mark.browser
def test_error_pages_in_the_browser(page):
    page.goto(page.base + "/join/NO-SUCH-UNION/")
    assert "页面不存在" in page.inner_text("#error-404")
    page.click("#next-steps a[href='/join/']")
    page.wait_for_url("**/join/")
    page.goto(page.base + "/no-such-page/")
    assert page.inner_text("h1") == "页面不存在"
    assert page.evaluate("getComputedStyle(document.querySelector('.navbar')).backgroundColor") == "rgb(183, 28, 28)"


def test_the_500_page_has_a_plain_fallback_when_its_template_fails(rf, monkeypatch, caplog):
    from django.template import loader

    from gonghui.core import views

    def broken(*args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr(loader, "render_to_string", broken)
    resp = views.server_error(rf.get("/members/"))
    body = resp.content.decode()
    assert resp.status_code == 500 and "系统错误" in body
    incident = body.split("事件编号：")[1].split("<")[0]
    assert any(incident in r.getMessage() for r in caplog.records)
