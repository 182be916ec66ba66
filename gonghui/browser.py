"""Playwright driving Debian's chromium for the browser tests (no downloaded browser builds)."""

import os
import shutil

import pytest

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("GONGHUI_REQUIRE_BROWSER"):
            pytest.fail("Debian's chromium is required for the browser tests (apt-get install chromium)")
        pytest.skip("chromium is not installed; `.ci/run` installs it")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still
    # synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


# Reports every Content-Security-Policy violation on the console, where the page fixture collects it (init
# scripts are not subject to the page's policy).
_REPORT_CSP = """document.addEventListener("securitypolicyviolation", function (e) {
  console.error("Content Security Policy violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
                + " at " + e.sourceFile + ":" + e.lineNumber);
});"""


@pytest.fixture
def page(browser, live_server):
    """A page on the live server. A test fails if the browser refuses anything under the Content-Security-Policy
    (``page.csp_violations`` lists what it refused)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_init_script(_REPORT_CSP)
    pg = context.new_page()
    pg.csp_violations = []
    pg.on("console", lambda msg: pg.csp_violations.append(msg.text)
          if msg.type == "error" and "Content Security Policy" in msg.text else None)
    pg.set_default_timeout(10000)
    pg.base = live_server.url
    yield pg
    context.close()
    if pg.csp_violations:
        pytest.fail("The Content-Security-Policy refused something:\n" + "\n".join(pg.csp_violations))


def log_in(page, username: str, password: str, code=None) -> None:
    """Sign in through the form; ``code`` (a string, or a callable giving one) answers the second step when the
    account has an authenticator."""
    page.goto(page.base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/login/verify/" in page.url:
        if code is None:
            pytest.fail(f"{username} has a second factor: pass log_in(..., code=...)")
        page.fill("#id_code", code() if callable(code) else code)
        page.click("#verify-form button[type=submit]")
        page.wait_for_load_state()


def pick_union(page, field: str, code: str) -> None:
    """Choose a union in the union picker (``field`` is the text box's id) the way an officer does: type the code,
    then click the match."""
    page.locator(f"#{field}").fill("")
    page.locator(f"#{field}").press_sequentially(code)
    page.click(f"#{field}_list .gh-picker-option[data-code='{code}']")
