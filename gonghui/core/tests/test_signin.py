"""Identity and sessions (GB/T 22239 level 3): password rules and age, lockout, sessions, the login rate limit,
no default or superuser accounts in production. The second factor is in test_signin_otp.py."""

import datetime
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.checks.registry import registry
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.utils import timezone

from gonghui.core import users_services
from gonghui.core.access import actor_for
from gonghui.core.checks import check_accounts
from gonghui.core.models import AuditEvent, SecurityPolicy, User
from gonghui.testing import PASSWORD


def _refusal(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


# --- Passwords ---------------------------------------------------------------------------------------------


def test_a_password_mixes_three_character_classes():
    assert "密码须至少包含小写字母、大写字母、数字、符号中的 3 类。" in _refusal("lowercase2026")
    assert _refusal("LOWERCASE-2026") == []
    assert _refusal("Lowercase2026") == []
    assert _refusal("lower-case-two") != []  # lower-case letters and symbols: two classes


def test_a_password_is_long_enough_and_not_common():
    assert _refusal("Ab1-xyz")  # 7 characters
    assert _refusal("Password1")  # on Django's list of common passwords (compared in lower case)
    assert _refusal("Xq7-mxpv") == []


def test_a_password_must_not_contain_the_username(cast):
    assert "密码中不能包含用户名。" in _refusal("My-OFFICER_A-pass9", cast.officer_a)
    assert _refusal("My-officer-pass9", cast.officer_a) == []


def test_the_services_apply_the_rules_and_keep_the_date(cast):
    actor = actor_for(cast.officer_a)
    with pytest.raises(ValidationError) as exc:
        users_services.password_change(actor=actor, old_password=PASSWORD, new_password="officer_a-New-2027")
    assert "new_password" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        users_services.password_change(actor=actor, old_password=PASSWORD, new_password=PASSWORD)
    assert exc.value.message_dict["new_password"] == ["新密码不能与当前密码相同。"]
    with pytest.raises(ValidationError):
        users_services.user_reset_password(actor=actor_for(cast.system_admin), user=cast.officer_b,
                                           password="alllowercase")
    before = timezone.now()
    users_services.password_change(actor=actor, old_password=PASSWORD, new_password="Fresh-pass-2027")
    cast.officer_a.refresh_from_db()
    assert cast.officer_a.password_changed_at >= before


def test_setting_a_password_stamps_its_date_but_rehashing_does_not(db, settings):
    user = User.objects.create_user(username="zhang", password="Zhang-pass-2026")
    assert user.password_changed_at is not None
    old = timezone.now() - datetime.timedelta(days=10)
    User.objects.filter(pk=user.pk).update(password_changed_at=old)
    user.refresh_from_db()
    # A newer preferred hasher re-hashes the password at the next correct check: that is not a change.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    assert user.check_password("Zhang-pass-2026")
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_") and user.password_changed_at == old


def test_production_hashes_passwords_with_argon2():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_an_expired_password_must_be_changed_before_anything_else(cast, login):
    client = login(cast.officer_a)
    assert client.get("/overview/").status_code == 200
    User.objects.filter(pk=cast.officer_a.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=91))
    resp = client.get("/overview/")
    assert resp.status_code == 302 and resp["Location"] == "/account/?expired=1"
    assert client.get("/api/v1/me").status_code == 403
    assert client.post("/account/", {"tk-name": "报表"}).context["token_form"].errors
    assert 'id="password-expired"' in client.get("/account/?expired=1").content.decode()
    client.post("/account/", {"pw-old_password": PASSWORD, "pw-new_password": "Renewed-pass-2027",
                              "pw-new_password2": "Renewed-pass-2027"})
    assert client.get("/overview/").status_code == 200


def test_the_password_age_is_the_security_administrators_setting(cast, login):
    User.objects.filter(pk=cast.officer_a.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=40))
    officer = login(cast.officer_a)
    assert officer.get("/overview/").status_code == 200
    sec = login(cast.security_admin)
    policy = {"password_max_age_days": 30, "session_idle_minutes": 30, "lockout_failures": 5,
              "lockout_cooloff_minutes": 30}
    assert sec.post("/security/", policy).status_code == 302
    event = AuditEvent.objects.filter(action="security.policy").latest("seq")
    assert event.details["password_max_age_days"] == 30 and event.actor_name == "secadmin"
    assert login(cast.officer_a).get("/overview/")["Location"] == "/account/?expired=1"
    # 0: passwords never expire; a year is the longest age allowed.
    assert login(cast.security_admin).post("/security/", {**policy, "password_max_age_days": 0}).status_code == 302
    assert login(cast.officer_a).get("/overview/").status_code == 200
    resp = login(cast.security_admin).post("/security/", {**policy, "password_max_age_days": 400})
    assert resp.status_code == 200 and resp.context["form"].errors


def test_the_first_login_forces_a_change_and_the_same_password_is_refused(cast, client):
    users_services.user_create(actor=actor_for(cast.system_admin), username="xiaoli", display_name="小李",
                               password="Given-pass-2026", role="union_officer", org=cast.grassroots_a)
    client.post("/login/", {"username": "xiaoli", "password": "Given-pass-2026"})
    assert client.get("/members/")["Location"] == "/account/?must_change=1"
    resp = client.post("/account/", {"pw-old_password": "Given-pass-2026", "pw-new_password": "Given-pass-2026",
                                     "pw-new_password2": "Given-pass-2026"})
    assert "新密码不能与当前密码相同。" in resp.content.decode()
    assert client.get("/members/").status_code == 302


# --- Lockout -----------------------------------------------------------------------------------------------


def _fail(client, username, ip):
    return client.post("/login/", {"username": username, "password": "wrong-Pass-1"}, REMOTE_ADDR=ip)


def test_five_failures_from_any_addresses_lock_the_username_and_are_audited(cast, client):
    for n in range(4):
        _fail(client, "officer_b", f"10.0.0.{n + 1}")
    assert not AuditEvent.objects.filter(action="auth.lockout").exists()
    resp = _fail(client, "officer_b", "10.0.0.9")
    assert resp.status_code == 429 and "账号已锁定" in resp.content.decode()
    assert AuditEvent.objects.filter(action="auth.lockout", object_id="officer_b", outcome="denied").exists()
    # The right password from a new address is refused too; another user is not affected.
    resp = client.post("/login/", {"username": "officer_b", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert resp.status_code == 429
    assert client.post("/login/", {"username": "officer_a", "password": PASSWORD},
                       REMOTE_ADDR="10.0.0.9").status_code == 302


def test_a_lockout_ends_after_the_cool_off(cast, client):
    for n in range(5):
        _fail(client, "officer_b", f"10.0.1.{n}")
    assert client.post("/login/", {"username": "officer_b", "password": PASSWORD}).status_code == 429
    cooloff = SecurityPolicy.current().lockout_cooloff_minutes
    AccessAttempt.objects.filter(username="officer_b").update(
        attempt_time=timezone.now() - datetime.timedelta(minutes=cooloff + 1))
    assert client.post("/login/", {"username": "officer_b", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("minutes", [0, 1441])
def test_a_lockout_cannot_be_made_endless_or_empty(cast, login, minutes):
    resp = login(cast.security_admin).post("/security/", {
        "password_max_age_days": 90, "session_idle_minutes": 30, "lockout_failures": 5,
        "lockout_cooloff_minutes": minutes})
    assert resp.status_code == 200
    assert resp.context["form"].non_field_errors() == ["锁定冷却时间为 1 至 1440 分钟（一天）。"]
    assert SecurityPolicy.objects.get(pk=1).lockout_cooloff_minutes == 30


def test_the_security_administrator_unlocks_and_it_is_audited(cast, client, login):
    for n in range(5):
        _fail(client, "officer_b", f"10.0.2.{n}")
    resp = login(cast.security_admin).post("/security/", {"unlock": "officer_b"})
    assert resp.status_code == 302
    assert AuditEvent.objects.filter(action="security.unlock", object_id="officer_b", actor_name="secadmin").exists()
    client.logout()
    assert client.post("/login/", {"username": "officer_b", "password": PASSWORD}).status_code == 302


# --- Sessions ----------------------------------------------------------------------------------------------


def test_the_session_key_changes_at_login(cast, client):
    session = client.session
    session["planted"] = "x"
    session.save()
    before = session.session_key
    assert client.post("/login/", {"username": "officer_a", "password": PASSWORD}).status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get("/overview/").status_code == 200


def test_logout_is_a_post_and_deletes_the_session(cast, client):
    client.post("/login/", {"username": "officer_a", "password": PASSWORD})
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/overview/")["Location"].startswith("/login/")
    assert AuditEvent.objects.filter(action="auth.logout", object_id="officer_a").exists()


def test_sessions_last_30_idle_minutes_and_12_hours_in_all(settings):
    from config.settings import base

    assert base.SESSION_COOKIE_AGE == 12 * 3600
    assert SecurityPolicy().session_idle_minutes == 30


def test_an_idle_session_ends_at_the_policys_minutes(cast, client):
    SecurityPolicy.objects.filter(pk=1).update(session_idle_minutes=10)
    client.post("/login/", {"username": "officer_a", "password": PASSWORD})
    assert client.get("/overview/").status_code == 200
    session = client.session
    session["gonghui_seen"] -= 9 * 60
    session.save()
    assert client.get("/overview/").status_code == 200
    session = client.session
    session["gonghui_seen"] -= 11 * 60
    session.save()
    assert client.get("/overview/")["Location"].startswith("/login/")


def test_the_last_seen_time_is_written_once_a_minute_not_on_every_page(cast, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/overview/").status_code == 200
        return sum("django_session" in q["sql"] and not q["sql"].startswith("SELECT") for q in queries)

    client.post("/login/", {"username": "officer_a", "password": PASSWORD})
    assert session_writes() == 1  # the first page: seen and started
    seen = client.session["gonghui_seen"]
    assert session_writes() == 0
    session = client.session
    session["gonghui_seen"] = seen - 61
    session.save()
    assert session_writes() == 1  # a minute old: written again
    assert client.session["gonghui_seen"] >= seen


# --- Login rate limit per address ----------------------------------------------------------------------------


def test_the_login_form_is_rate_limited_per_address_with_a_chinese_page(cast, client, settings):
    assert settings.GONGHUI_LOGIN_RATE == "30/10m"
    for n in range(30):  # different usernames: no single account is locked
        assert client.post("/login/", {"username": f"guess{n}", "password": "x"},
                           REMOTE_ADDR="10.1.1.1").status_code == 200
    resp = client.post("/login/", {"username": "officer_a", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")
    assert resp.status_code == 429
    assert "短时间内操作次数过多" in resp.content.decode()
    assert client.post("/login/", {"username": "officer_a", "password": PASSWORD},
                       REMOTE_ADDR="10.1.1.2").status_code == 302
    # Only POSTs count: the form itself still opens.
    assert client.get("/login/", REMOTE_ADDR="10.1.1.1").status_code in (200, 302)


# --- No default, shared or superuser accounts in production ------------------------------------------------


def test_the_deploy_check_refuses_an_active_superuser_and_demo_users(db, settings):
    settings.GONGHUI_DEMO_ALLOWED = False
    assert check_accounts() == []
    boss = User.objects.create_superuser(username="root", password="Root-pass-2026")
    assert [e.id for e in check_accounts()] == ["gonghui.E201"]
    boss.is_active = False
    boss.save(update_fields=["is_active"])
    assert check_accounts() == []
    User.objects.create_user(username="city", password="Demo-2026-gh", is_demo=True)
    errors = check_accounts()
    assert [e.id for e in errors] == ["gonghui.E202"] and "city" in errors[0].msg
    # The demo and the tests allow demo users; production settings do not.
    settings.GONGHUI_DEMO_ALLOWED = True
    assert check_accounts() == []


def test_the_deploy_check_is_registered_and_tolerates_an_unmigrated_database(db, settings):
    assert check_accounts in registry.get_checks(include_deployment_checks=True)
    assert check_accounts not in registry.get_checks(include_deployment_checks=False)
    settings.GONGHUI_DEMO_ALLOWED = False
    with mock.patch.object(User.objects, "filter", side_effect=OperationalError("no such table: core_user")):
        assert check_accounts() == []


def test_production_settings_refuse_the_demo():
    import ast
    from pathlib import Path

    source = (Path(__file__).resolve().parents[3] / "config" / "settings" / "production.py").read_text()
    assigned = {t.id: n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Assign)
                for t in n.targets if isinstance(t, ast.Name)}
    assert ast.literal_eval(assigned["GONGHUI_DEMO_ALLOWED"]) is False


def test_demo_users_are_marked_and_the_demo_says_the_second_factor_is_off(db, capsys):
    from django.core.management import call_command

    from gonghui.demo.seed import DEMO_USERS

    call_command("seed", "--per-township", "1", "--members", "0", "--activity", "0")
    names = {u.username for u in DEMO_USERS}
    assert set(User.objects.filter(is_demo=True).values_list("username", flat=True)) == names
    assert not User.objects.filter(is_superuser=True).exists()
    assert SecurityPolicy.objects.get(pk=1).require_second_factor is False
    assert "双因素认证" in capsys.readouterr().out


# --- Workers never use the staff login ----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/join/", "/join/status/", "/requests/new/", "/requests/track/",
                                 "/member/card/", "/member/transfer/"])
def test_public_pages_ask_no_staff_login(cast, client, url):
    resp = client.get(url)
    assert resp.status_code == 200, url
    assert 'name="password"' not in resp.content.decode()
