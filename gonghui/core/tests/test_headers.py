"""Transport and headers: every page carries a strict Content-Security-Policy (no inline script or style) and
the other security headers; the templates give the policy nothing inline to refuse; production settings pass
Django's deploy checks with HSTS and secure cookies."""

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from gonghui.core.tests.test_scope_walk import _routes, values  # noqa: F401  (the walk's URL values fixture)

BASE_DIR = Path(settings.BASE_DIR)
STRICT = {"default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "object-src": "'none'",
          "base-uri": "'self'", "form-action": "'self'", "frame-ancestors": "'none'"}


def _fill(route: str, found: dict) -> str:
    route = route.lstrip("^").rstrip("$")
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(found.get(m.group(1), "1")), route)


def _policy(header: str) -> dict[str, str]:
    parts = (p.strip().split(None, 1) for p in header.split(";") if p.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def assert_security_headers(resp, where: str) -> None:
    csp = resp.get("Content-Security-Policy")
    assert csp, f"{where} has no Content-Security-Policy"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{where}: {csp}"
    policy = _policy(csp)
    for directive, value in STRICT.items():
        assert policy.get(directive) == value, f"{where}: {directive} is {policy.get(directive)!r} in {csp}"
    assert set(policy["img-src"].split()) <= {"'self'", "data:"}, f"{where}: {csp}"
    assert resp.get("X-Frame-Options") == "DENY", where
    assert resp.get("X-Content-Type-Options") == "nosniff", where
    assert resp.get("Referrer-Policy") == "same-origin", where


def test_every_route_sends_the_security_headers(cast, login, values):  # noqa: F811
    officer = login(cast.officer_a)
    anonymous = Client()
    for route in _routes():
        if route.startswith("static"):
            continue
        url = _fill(route, values)
        for who, client in (("officer", officer), ("anonymous", anonymous)):
            resp = client.get(url)
            assert_security_headers(resp, f"GET {url} as {who} ({resp.status_code})")


def test_error_pages_send_them_too(cast, client):
    assert_security_headers(client.get("/no-such-page/"), "a 404")
    assert_security_headers(client.post("/api/v1/orgs", {}), "a refused API call")


# The templates: nothing inline for the policy to refuse.

TEMPLATE_FILES = sorted(p for p in (BASE_DIR / "gonghui").rglob("templates/**/*.html"))
TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
HANDLER = re.compile(r"(?:^|\s)(on[a-z]+|hx-on[\w:-]*|style)\s*=", re.I)


def inline_problems(html: str) -> list[str]:
    """What a strict policy would refuse in a template: inline scripts and styles, handlers, javascript: URLs."""
    problems = []
    for m in TAG.finditer(html):
        closing, name, attrs = m.group(1), m.group(2).lower(), m.group(3)
        if closing:
            continue
        if name == "script" and not re.search(r"\ssrc\s*=", attrs) \
                and not re.search(r"""\stype\s*=\s*["']application/(ld\+)?json["']""", attrs):
            problems.append(f"inline <script>: {m.group(0)[:80]}")
        if name == "style":
            problems.append("a <style> element")
        for attr in HANDLER.finditer(attrs):
            problems.append(f"attribute {attr.group(1)}= in <{name}>")
        if re.search(r"""=\s*["']?\s*javascript:""", attrs, re.I):
            problems.append(f"a javascript: URL in <{name}>")
    return problems


@pytest.mark.parametrize("html", [
    "<script>alert(1)</script>", '<script type="text/javascript">x()</script>', "<style>p{color:red}</style>",
    '<p style="color:red">x</p>', '<button onclick="go()">x</button>', '<body onload = "go()">',
    '<a href="javascript:go()">x</a>', '<div hx-on:click="go()"></div>', "<P STYLE='x'>",
])
def test_the_scan_finds_inline_code(html):
    assert inline_problems(html)


def test_the_scan_lets_files_and_data_through():
    html = ('<script src="/static/a.js"></script><script type="application/json" id="d">{"a": 1}</script>'
            '<link rel="stylesheet" href="/static/a.css"><div class="x" data-chart="c" data-style="a">'
            '<input name="online" value="{% if a %}1{% endif %}"><p>style=这段文字 onclick=</p>')
    assert inline_problems(html) == []


def test_no_template_has_inline_script_or_style():
    assert len(TEMPLATE_FILES) > 30
    found = {str(p.relative_to(BASE_DIR)): inline_problems(p.read_text()) for p in TEMPLATE_FILES}
    assert {path: problems for path, problems in found.items() if problems} == {}


def test_htmx_is_told_not_to_inject_its_indicator_styles():
    base = (BASE_DIR / "gonghui/core/templates/core/base_page.html").read_text()
    config = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", base)
    assert config and json.loads(config.group(1))["includeIndicatorStyles"] is False
    assert ".htmx-indicator" in (BASE_DIR / "gonghui/core/static/gonghui/app.css").read_text()


# Production settings.

def _production_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GONGHUI_", "REDIS_URL"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "prod-check-" + base64.urlsafe_b64encode(os.urandom(48)).decode(),
        "GONGHUI_DATA_KEYS": "k1:" + base64.b64encode(os.urandom(32)).decode(),
        "GONGHUI_BLIND_INDEX_KEY": base64.b64encode(os.urandom(32)).decode(),
        "GONGHUI_AUDIT_KEYS": "a1:" + base64.b64encode(os.urandom(32)).decode(),
        "GONGHUI_BACKUP_KEY": base64.b64encode(os.urandom(32)).decode(),
        "DJANGO_ALLOWED_HOSTS": "gonghui.example.org",
        "GONGHUI_VAR_DIR": str(settings.VAR_DIR),  # the run's own, never the demo's database under var/
    })
    return env


def _gonghui(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gonghui", *args], cwd=BASE_DIR, env=_production_env(),  # noqa: S603
                          capture_output=True, text=True, timeout=120)


def test_deploy_checks_pass_under_production_settings():
    done = _gonghui("check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name, None) for name in (
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY", "CONTENT_SECURITY_POLICY", "MIDDLEWARE", "DEBUG")}, default=str))
"""


def test_production_settings_are_https_only_with_the_strict_policy():
    done = _gonghui("shell", "-c", PRINT_SETTINGS)
    assert done.returncode == 0, done.stderr
    s = json.loads(done.stdout.strip().splitlines()[-1])
    assert s["SECURE_HSTS_SECONDS"] >= 31536000 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["SECURE_SSL_REDIRECT"] is True and s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] is s["CSRF_COOKIE_SECURE"] is s["SESSION_COOKIE_HTTPONLY"] is True
    assert (s["X_FRAME_OPTIONS"], s["SECURE_CONTENT_TYPE_NOSNIFF"], s["SECURE_REFERRER_POLICY"]) == \
        ("DENY", True, "same-origin")
    assert "csp.middleware.CSPMiddleware" in s["MIDDLEWARE"]
    assert "django.middleware.security.SecurityMiddleware" in s["MIDDLEWARE"]
    directives = s["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]
    assert "unsafe-inline" not in json.dumps(directives)
    assert {k: " ".join(directives[k]) for k in STRICT} == STRICT


# In the browser: the policy is enforced, and the page fixture turns a refusal into a failure.

@pytest.mark.browser
def test_the_browser_enforces_the_policy_and_the_tests_see_refusals(page):
    page.goto(page.base + "/login/")
    assert page.evaluate("getComputedStyle(document.querySelector('.btn-primary')).backgroundColor") \
        == "rgb(183, 28, 28)"  # app.css (a file) applies
    page.evaluate("document.body.setAttribute('style', 'background: rgb(1, 2, 3)')")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
                      document.head.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(1, 2, 3)"
    assert page.evaluate("window.ran") is None
    refused = list(page.csp_violations)
    page.csp_violations.clear()  # the fixture would fail this test otherwise
    assert any("style-src" in v for v in refused) and any("script-src" in v for v in refused), refused


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_chart_tooltips_and_htmx_live_within_the_policy(page):
    from gonghui.browser import log_in
    from gonghui.testing import PASSWORD, build_cast

    build_cast()
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/overview/")
    page.wait_for_selector("[data-chart][data-drawn='1']")
    modes = page.evaluate("""() => Array.from(document.querySelectorAll("[data-chart]")).map(el => {
        const chart = echarts.getInstanceByDom(el);
        chart.dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: 0});  // as a hover does
        return chart.getOption().tooltip[0].renderMode; })""")
    assert modes and set(modes) == {"richText"}  # drawn on the canvas: an HTML tooltip has style attributes
    assert page.evaluate("document.querySelectorAll('style').length") == 0  # nothing injected a style element
    # the fixture fails the test if anything above was refused


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_api_docs_load_from_this_site_within_the_policy(page):
    # "ninja" is an installed app so the docs use its own Swagger files rather than a CDN the policy refuses.
    page.goto(page.base + "/api/v1/docs")
    # The page draws the info block once /api/v1/openapi.json is built: every endpoint of every app, seconds on a
    # busy machine (it timed out at 10 s under a load average of 10).
    page.wait_for_selector(".swagger-ui .info", timeout=60_000)
    assert page.locator(".opblock").count() > 20
