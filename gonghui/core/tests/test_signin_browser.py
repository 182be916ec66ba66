"""Setting up the second factor and signing in with it, in the browser (under the Content-Security-Policy)."""

import base64
import time

import pytest
from django_otp.oath import TOTP

from gonghui.browser import log_in
from gonghui.core.models import SecurityPolicy
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def totp_code(key_text: str, *, steps_ahead: int = 0) -> str:
    """What the phone shows for the key typed in by hand (a later step than the last one used: each works once)."""
    raw = key_text.replace(" ", "")
    totp = TOTP(base64.b32decode(raw + "=" * (-len(raw) % 8)))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_set_up_an_authenticator_then_sign_in_with_password_and_code(page):
    build_cast()
    SecurityPolicy.objects.update_or_create(pk=1, defaults={"require_second_factor": True})
    log_in(page, "officer_a", PASSWORD)
    # Without an authenticator, every page leads to setting one up.
    assert page.url.endswith("/account/two-factor/")
    page.goto(page.base + "/overview/")
    assert page.url.endswith("/account/two-factor/")
    assert page.locator("#two-factor-required").is_visible()
    assert page.eval_on_selector("#totp-qr", "img => img.complete && img.naturalWidth > 0")
    key = page.locator("#totp-key").inner_text()

    page.fill("#id_code", "000000" if totp_code(key) != "000000" else "111111")
    page.click("#enrol-form button[type=submit]")
    assert page.locator("#field-code .invalid-feedback").count() == 1

    page.fill("#id_code", totp_code(key))
    page.click("#enrol-form button[type=submit]")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.click("a:text('我已妥善保存')")
    assert "已开启" in page.locator("#two-factor").inner_text()
    page.goto(page.base + "/overview/")
    assert page.url.endswith("/overview/")

    page.click("form[action='/logout/'] button")
    log_in(page, "officer_a", PASSWORD, code=lambda: totp_code(key, steps_ahead=1))
    assert page.url.endswith("/overview/")

    # Without the phone: a recovery code, once.
    page.click("form[action='/logout/'] button")
    log_in(page, "officer_a", PASSWORD, code=codes[0])
    assert page.url.endswith("/overview/")
    page.click("form[action='/logout/'] button")
    log_in(page, "officer_a", PASSWORD, code=codes[0])
    assert page.url.endswith("/login/verify/")
    assert "验证码错误或已被使用" in page.locator("#field-code").inner_text()
