import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gonghui.core import users_services
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent, Grant, SecurityPolicy, User
from gonghui.testing import PASSWORD


def test_system_admin_creates_a_user_with_a_grant(cast, login):
    client = login(cast.system_admin)
    resp = client.post("/users/new/", {"username": "liming", "display_name": "李明", "role": "union_officer",
                                       "org": "gb", "password": "Xx-strong-2026"})
    assert resp.status_code == 302
    user = User.objects.get(username="liming")
    assert user.must_change_password and user.grants.get().org.code == "GB"
    assert AuditEvent.objects.filter(action="user.create", object_id="liming").exists()
    assert AuditEvent.objects.filter(action="grant.add", object_id="liming").exists()


def test_user_form_bad_input_stays_on_the_form(cast, login):
    client = login(cast.system_admin)
    resp = client.post("/users/new/", {"username": "bad name", "display_name": "", "role": "nope", "org": "ZZZ",
                                       "password": "123"})
    assert resp.status_code == 200
    assert not User.objects.filter(display_name="").exclude(username__in=[
        "officer_a", "officer_b", "grassroots_a", "auditor_a", "city_staff", "sysadmin", "secadmin",
        "auditadmin"]).exists()
    form = resp.context["form"]
    assert {"username", "display_name", "role"} <= set(form.errors)


def test_weak_password_is_refused_by_the_service(cast):
    with pytest.raises(ValidationError) as exc:
        users_services.user_create(actor=actor_for(cast.system_admin), username="wang", display_name="王",
                                   password="12345678", role="union_officer", org=cast.grassroots_b)
    assert "password" in exc.value.message_dict
    assert not User.objects.filter(username="wang").exists()


def test_three_administrators_stay_separate(cast):
    sysadmin = actor_for(cast.system_admin)
    with pytest.raises(ValidationError):
        users_services.grant_add(actor=sysadmin, user=cast.security_admin, role="audit_admin", org=cast.city)
    with pytest.raises(ValidationError):
        users_services.grant_add(actor=sysadmin, user=cast.officer_a, role="security_admin", org=cast.city)
    with pytest.raises(ValidationError):
        users_services.grant_add(actor=sysadmin, user=cast.audit_admin, role="federation_staff", org=cast.city)
    # The database holds the line even if a service were bypassed.
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.create(user=cast.audit_admin, role="system_admin", org=cast.county_a)


def test_system_admin_sees_no_personal_data_and_no_audit(cast, login):
    client = login(cast.system_admin)
    resp = client.get("/orgs/GA/")
    assert resp.status_code == 200 and "138****5678" in resp.content.decode()
    assert "reveal-form" not in resp.content.decode()
    assert client.post("/orgs/GA/reveal-phone/", {"reason": "想看"}).status_code == 403
    assert client.get("/audit/").status_code == 403
    assert client.get("/overview/").status_code == 403


def test_denials_are_recorded(cast, login):
    login(cast.grassroots_officer).get("/users/")
    ev = AuditEvent.objects.filter(action="access.denied").latest("seq")
    assert ev.actor_name == "grassroots_a" and ev.outcome == "denied"


def test_county_system_admin_cannot_manage_city_users(cast, login):
    county_admin = User.objects.create_user(username="ca_admin", password=PASSWORD)
    Grant.objects.create(user=county_admin, role="system_admin", org=cast.county_a)
    client = login(county_admin)
    assert client.get("/users/officer_a/").status_code == 200
    assert client.get("/users/officer_b/").status_code == 404
    assert client.get("/users/city_staff/").status_code == 404
    resp = client.get("/users/")
    assert "officer_b" not in resp.content.decode() and "officer_a" in resp.content.decode()


def test_password_change_on_my_account(cast, login):
    client = login(cast.officer_a)
    resp = client.post("/account/", {"pw-old_password": PASSWORD, "pw-new_password": "Another-pass-2027",
                                     "pw-new_password2": "Another-pass-2027"})
    assert resp.status_code == 302
    cast.officer_a.refresh_from_db()
    assert cast.officer_a.check_password("Another-pass-2027")
    resp = client.post("/account/", {"pw-old_password": "wrong", "pw-new_password": "x", "pw-new_password2": "y"})
    assert resp.status_code == 200 and resp.context["pw_form"].errors


def test_api_token_is_shown_once(cast, login):
    client = login(cast.officer_a)
    resp = client.post("/account/", {"tk-name": "报表系统"})
    token = resp.context["new_token"]
    assert token.startswith("gh_")
    assert token not in login(cast.officer_a).get("/account/").content.decode()


def test_security_admin_edits_the_policy_and_it_applies(cast, login):
    client = login(cast.security_admin)
    resp = client.post("/security/", {"password_max_age_days": 60, "session_idle_minutes": 15,
                                      "lockout_failures": 4, "lockout_cooloff_minutes": 20})
    assert resp.status_code == 302
    assert SecurityPolicy.current().lockout_failures == 4
    resp = client.post("/security/", {"password_max_age_days": 60, "session_idle_minutes": 0,
                                      "lockout_failures": 1, "lockout_cooloff_minutes": 20})
    assert resp.status_code == 200 and resp.context["form"].errors
    assert login(cast.officer_a).get("/security/").status_code == 403


def test_lockout_after_failures_and_unlock(cast, client, login):
    for _ in range(5):
        client.post("/login/", {"username": "officer_b", "password": "wrong"})
    resp = client.post("/login/", {"username": "officer_b", "password": PASSWORD})
    assert resp.status_code == 429 or "locked" in resp.content.decode().lower() or "锁定" in resp.content.decode()
    assert AuditEvent.objects.filter(action="auth.lockout", object_id="officer_b").exists()
    sec = login(cast.security_admin)
    sec.post("/security/", {"unlock": "officer_b"})
    sec.logout()
    resp = client.post("/login/", {"username": "officer_b", "password": PASSWORD})
    assert resp.status_code == 302


def test_idle_session_is_ended(cast, client):
    client.force_login(cast.officer_a)
    assert client.get("/overview/").status_code == 200
    session = client.session
    session["gonghui_seen"] = session["gonghui_seen"] - 31 * 60
    session.save()
    resp = client.get("/overview/")
    assert resp.status_code == 302 and resp["Location"].startswith("/login/")


def test_a_new_user_must_change_the_given_password_first(cast, client):
    users_services.user_create(actor=actor_for(cast.system_admin), username="xiaoli", display_name="小李",
                               password="Given-pass-2026", role="union_officer", org=cast.grassroots_a)
    client.post("/login/", {"username": "xiaoli", "password": "Given-pass-2026"})
    resp = client.get("/members/")
    assert resp.status_code == 302 and resp["Location"].startswith("/account/")
    assert client.get("/account/").status_code == 200
    client.post("/account/", {"pw-old_password": "Given-pass-2026", "pw-new_password": "Own-choice-2026x",
                              "pw-new_password2": "Own-choice-2026x"})
    assert client.get("/members/").status_code == 200


def test_sessions_end_after_the_absolute_limit(cast, client, settings):
    client.force_login(cast.officer_a)
    assert client.get("/overview/").status_code == 200
    session = client.session
    session["gonghui_started"] = session["gonghui_started"] - settings.SESSION_COOKIE_AGE - 1
    session.save()
    assert client.get("/overview/")["Location"].startswith("/login/")
