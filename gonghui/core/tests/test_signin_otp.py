"""The second factor of staff sign-in: enrolment, two-step sign-in, one use per code, recovery codes, the policy
that requires it, the security administrator's reset."""

import re

import pytest
from django.core.exceptions import ValidationError
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.core import otp, users_services
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent, SecurityPolicy
from gonghui.core.views import SESSION_PENDING
from gonghui.testing import PASSWORD


class _Clock:
    """The clock django-otp's TOTP device reads, set by hand (tests never wait for the next 30 seconds)."""

    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = _Clock(1_800_000_000.0)
    monkeypatch.setattr(totp_models, "time", c)
    return c


@pytest.fixture
def required(cast):
    SecurityPolicy.objects.filter(pk=1).update(require_second_factor=True)
    SecurityPolicy.objects.get(pk=1).save()  # clears the per-process cache


def code_for(key_hex: str, now: float) -> str:
    totp = TOTP(bytes.fromhex(key_hex))
    totp.time = now
    return f"{totp.token():06d}"


def enrol(user, clock) -> tuple[TOTPDevice, list[str]]:
    key = otp.new_key()
    return otp.second_factor_enrol(actor=actor_for(user), key=key, code=code_for(key, clock.now))


def verified_login(client, user, clock):
    """Signed in with a second factor (as after the code step), without going through the forms."""
    device, _codes = enrol(user, clock)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def sign_in(client, username=None, code=None, **extra):
    resp = client.post("/login/", {"username": username, "password": PASSWORD}, **extra)
    if code is None:
        return resp
    return client.post("/login/verify/", {"code": code}, **extra)


# --- The policy ---------------------------------------------------------------------------------------------


def test_the_policy_requires_a_second_factor_by_default(db):
    assert SecurityPolicy().require_second_factor is True


def test_without_an_authenticator_a_user_is_sent_to_set_one_up_first(cast, required, login):
    client = login(cast.officer_a)
    resp = client.get("/overview/")
    assert resp.status_code == 302 and resp["Location"] == "/account/two-factor/"
    assert client.get("/members/")["Location"] == "/account/two-factor/"
    assert client.get("/api/v1/me").status_code == 403
    # No API token from a session that has not shown a second factor.
    resp = client.post("/account/", {"tk-name": "报表系统"})
    assert resp.context["token_form"].errors and resp.context["new_token"] is None
    assert client.get("/account/two-factor/").status_code == 200


def test_with_the_requirement_off_a_user_without_an_authenticator_signs_in_with_the_password(cast, client):
    assert SecurityPolicy.current().require_second_factor is False  # the test cast turns it off
    assert sign_in(client, "officer_a")["Location"] == "/"
    assert client.get("/overview/").status_code == 200


def test_the_security_administrator_sets_the_requirement_and_it_is_audited(cast, login):
    resp = login(cast.security_admin).post("/security/", {
        "password_max_age_days": 90, "session_idle_minutes": 30, "lockout_failures": 5,
        "lockout_cooloff_minutes": 30, "require_second_factor": "on"})
    assert resp.status_code == 302
    assert SecurityPolicy.current().require_second_factor is True
    event = AuditEvent.objects.filter(action="security.policy").latest("seq")
    assert event.details == {"require_second_factor": True}
    assert login(cast.officer_a).get("/overview/")["Location"] == "/account/two-factor/"


# --- Enrolment ----------------------------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_key_and_takes_a_first_code(cast, required, login, clock):
    client = login(cast.officer_a)
    page = client.get("/account/two-factor/").content.decode()
    key_text = re.search(r'id="totp-key"[^>]*>([A-Z2-7 ]+)<', page).group(1)
    assert 'src="/account/two-factor/qr.svg"' in page
    assert "<script>" not in page and "style=" not in page
    qr = client.get("/account/two-factor/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and "no-store" in qr["Cache-Control"]
    svg = qr.content.decode()
    assert svg.startswith("<svg") and "<script" not in svg and "style" not in svg
    key = client.session["gonghui_totp_key"]
    assert otp.key_text(key) == key_text and key not in page
    assert "otpauth://" not in page

    resp = client.post("/account/two-factor/", {"code": "000000" if code_for(key, clock.now) != "000000"
                                                else "111111"})
    assert resp.status_code == 200 and resp.context["form"].errors
    assert not TOTPDevice.objects.filter(user=cast.officer_a).exists()

    resp = client.post("/account/two-factor/", {"code": code_for(key, clock.now)})
    assert resp.status_code == 200
    codes = resp.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=cast.officer_a).confirmed
    assert StaticToken.objects.filter(device__user=cast.officer_a).count() == 10
    assert AuditEvent.objects.filter(action="auth.second_factor_enrol", object_id="officer_a").exists()
    # That session is verified now, and the key has left it.
    assert client.get("/overview/").status_code == 200
    assert "gonghui_totp_key" not in client.session
    assert client.get("/account/two-factor/qr.svg").status_code == 404
    # The codes are not shown again.
    assert codes[0] not in client.get("/account/").content.decode()


def test_enrolment_refuses_a_second_authenticator(cast, clock):
    enrol(cast.officer_a, clock)
    with pytest.raises(ValidationError, match="已设置"):
        enrol(cast.officer_a, clock)
    assert TOTPDevice.objects.filter(user=cast.officer_a).count() == 1


# --- Two-step sign-in ---------------------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password_and_each_code_works_once(cast, required, client, clock,
                                                                                 settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after the refused replay (tested on its own below)
    device, _codes = enrol(cast.officer_a, clock)
    clock.now += 30
    resp = sign_in(client, "officer_a")
    assert resp["Location"] == "/login/verify/"
    # Not signed in yet: the password alone opens nothing.
    assert client.get("/overview/")["Location"].startswith("/login/")
    assert not AuditEvent.objects.filter(action="auth.login", object_id="officer_a", outcome="success").exists()
    code = code_for(device.hex_key, clock.now)
    resp = client.post("/login/verify/", {"code": code})
    assert resp.status_code == 302 and resp["Location"] == "/"
    assert client.get("/overview/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.second_factor", object_id="officer_a", outcome="success").exists()
    client.post("/logout/")

    # The same code again (replayed within its 30 seconds) is refused.
    sign_in(client, "officer_a")
    resp = client.post("/login/verify/", {"code": code})
    assert resp.status_code == 200 and resp.context["form"].errors
    assert client.get("/overview/")["Location"].startswith("/login/")
    assert AuditEvent.objects.filter(action="auth.second_factor", object_id="officer_a", outcome="failed").exists()
    # The next code works.
    clock.now += 30
    resp = client.post("/login/verify/", {"code": code_for(device.hex_key, clock.now)})
    assert resp["Location"] == "/"


def test_sign_in_goes_on_to_the_page_asked_for(cast, required, client, clock):
    device, _codes = enrol(cast.officer_a, clock)
    clock.now += 30
    client.post("/login/?next=/members/", {"username": "officer_a", "password": PASSWORD, "next": "/members/"})
    resp = client.post("/login/verify/", {"code": code_for(device.hex_key, clock.now)})
    assert resp["Location"] == "/members/"


def test_the_session_key_changes_between_the_steps_and_at_the_end(cast, required, client, clock):
    device, _codes = enrol(cast.officer_a, clock)
    clock.now += 30
    session = client.session
    session.save()
    first = session.session_key
    sign_in(client, "officer_a")
    second = client.cookies["sessionid"].value
    client.post("/login/verify/", {"code": code_for(device.hex_key, clock.now)})
    third = client.cookies["sessionid"].value
    assert len({first, second, third}) == 3


def test_a_recovery_code_works_once(cast, required, client, clock):
    _device, codes = enrol(cast.officer_a, clock)
    sign_in(client, "officer_a")
    resp = client.post("/login/verify/", {"code": otp.show_code(codes[3]).upper()})
    assert resp["Location"] == "/"
    assert StaticToken.objects.filter(device__user=cast.officer_a).count() == 9
    client.post("/logout/")
    sign_in(client, "officer_a")
    assert client.post("/login/verify/", {"code": codes[3]}).status_code == 200
    assert client.get("/overview/")["Location"].startswith("/login/")


def test_new_recovery_codes_replace_the_old_ones(cast, required, client, clock, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # no wait after the refused old code
    device, codes = enrol(cast.officer_a, clock)
    clock.now += 30
    sign_in(client, "officer_a", code_for(device.hex_key, clock.now))
    resp = client.post("/account/two-factor/recovery-codes/")
    fresh = resp.context["codes"]
    assert len(fresh) == 10 and not set(fresh) & {otp.show_code(c) for c in codes}
    assert AuditEvent.objects.filter(action="auth.recovery_codes", object_id="officer_a").exists()
    client.post("/logout/")
    sign_in(client, "officer_a")
    assert client.post("/login/verify/", {"code": codes[0]}).status_code == 200
    assert client.post("/login/verify/", {"code": fresh[0]})["Location"] == "/"


def test_wrong_codes_count_towards_the_lockout(cast, required, client, clock):
    _device, _codes = enrol(cast.officer_a, clock)
    sign_in(client, "officer_a")
    for _ in range(4):
        assert client.post("/login/verify/", {"code": "wrong-code"}).status_code == 200
    assert not AuditEvent.objects.filter(action="auth.lockout").exists()
    resp = client.post("/login/verify/", {"code": "wrong-code"})
    assert resp.status_code == 429 and "账号已锁定" in resp.content.decode()
    assert AuditEvent.objects.filter(action="auth.lockout", object_id="officer_a").exists()
    # The account is locked: the right password is refused for the cool-off.
    assert sign_in(client, "officer_a").status_code == 429


def test_wrong_codes_slow_the_authenticator_down(cast, clock, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1000  # seconds to wait after the first wrong code (default: 1)
    device, _codes = enrol(cast.officer_a, clock)
    clock.now += 30
    right = code_for(device.hex_key, clock.now)
    assert otp.second_factor_check(user=cast.officer_a, code="000000" if right != "000000" else "111111") is None
    # Right after a wrong code even the right one waits (django-otp's throttle, per device).
    assert otp.second_factor_check(user=cast.officer_a, code=right) is None
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_an_unfinished_sign_in_expires(cast, required, client, clock):
    device, _codes = enrol(cast.officer_a, clock)
    clock.now += 30
    sign_in(client, "officer_a")
    session = client.session
    session[SESSION_PENDING]["at"] -= 301
    session.save()
    resp = client.post("/login/verify/", {"code": code_for(device.hex_key, clock.now)})
    assert resp["Location"] == "/login/"
    assert client.get("/overview/")["Location"].startswith("/login/")


def test_the_code_step_is_not_open_without_the_password(cast, client):
    assert client.get("/login/verify/")["Location"] == "/login/"
    assert client.post("/login/verify/", {"code": "123456"})["Location"] == "/login/"


def test_a_session_without_the_code_is_sent_to_the_code_step(cast, login, clock):
    """A session signed in by password only (here: force_login) of an account with an authenticator opens
    nothing but the code step, even where the policy does not require a second factor."""
    device, _codes = enrol(cast.officer_a, clock)
    client = login(cast.officer_a)
    assert client.get("/overview/")["Location"] == "/login/verify/?next=%2Foverview%2F"
    assert client.get("/account/")["Location"].startswith("/login/verify/")
    assert client.post("/account/", {"tk-name": "x"}).status_code == 302
    clock.now += 30
    resp = client.post("/login/verify/?next=/overview/", {"code": code_for(device.hex_key, clock.now)})
    assert resp["Location"] == "/overview/"
    assert client.get("/account/").status_code == 200


def test_the_code_form_shares_the_login_rate_limit(cast, required, client, clock, settings):
    enrol(cast.officer_a, clock)
    assert sign_in(client, "officer_a", REMOTE_ADDR="10.2.2.3")["Location"] == "/login/verify/"
    for _ in range(29):  # (after five wrong codes the account is locked and the sign-in dropped; POSTs still count)
        resp = client.post("/login/verify/", {"code": "bad"}, REMOTE_ADDR="10.2.2.3")
        assert "短时间内操作次数过多" not in resp.content.decode()
    resp = client.post("/login/verify/", {"code": "bad"}, REMOTE_ADDR="10.2.2.3")
    assert resp.status_code == 429 and "短时间内操作次数过多" in resp.content.decode()


# --- Reset by the security administrator --------------------------------------------------------------------


def test_the_security_administrator_resets_a_lost_second_factor(cast, required, client, clock):
    enrol(cast.officer_a, clock)
    resp = verified_login(client, cast.security_admin, clock).post("/security/", {"mfa-username": "officer_a"})
    assert resp.status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.officer_a).exists()
    assert not StaticDevice.objects.filter(user=cast.officer_a).exists()
    assert AuditEvent.objects.filter(action="security.second_factor_reset", object_id="officer_a",
                                     actor_name="secadmin").exists()
    # The user signs in with the password and sets up a new authenticator before anything else.
    client.logout()
    assert sign_in(client, "officer_a")["Location"] == "/"
    assert client.get("/overview/")["Location"] == "/account/two-factor/"


def test_only_the_security_administrator_resets_a_second_factor(cast, login, clock):
    enrol(cast.officer_b, clock)
    for user in (cast.officer_a, cast.system_admin, cast.audit_admin):
        assert login(user).post("/security/", {"mfa-username": "officer_b"}).status_code == 403
    assert TOTPDevice.objects.filter(user=cast.officer_b).exists()
    resp = login(cast.security_admin).post("/security/", {"mfa-username": "nobody"})
    assert resp.status_code == 200 and resp.context["reset_form"].errors


# --- API tokens ---------------------------------------------------------------------------------------------


def test_bearer_tokens_made_by_a_verified_user_keep_working(cast, required, client, clock):
    device, _codes = enrol(cast.officer_a, clock)
    clock.now += 30
    sign_in(client, "officer_a", code_for(device.hex_key, clock.now))
    token = client.post("/account/", {"tk-name": "区报表系统"}).context["new_token"]
    assert token.startswith("gh_")
    client.post("/logout/")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_a_token_made_through_the_service_is_unaffected_by_the_policy(cast, required, client):
    _t, token = users_services.api_token_create(actor=actor_for(cast.officer_b), name="县报表")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
