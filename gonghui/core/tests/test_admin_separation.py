"""三员分立: no account holds two of the administrator roles; the system administrator never reads personal data
or the audit trail; the audit administrator reads the trail and changes nothing. Walked over every URL pattern,
so a new page or endpoint is covered the day it is added."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gonghui.core import users_services
from gonghui.core.access import PERMISSIONS, actor_for
from gonghui.core.models import ADMIN_ROLES, AuditEvent, Grant, Role, User

from . import test_scope_walk as walk
from .test_scope_walk import MEMBER_ID, PUBLIC, _fill, _refused, _routes

walk_values = walk.values  # the fixture of the scope walk: county A's member, case, card and token

PHONES = ("13612345678", "13712345678", "13812345678")  # the member's, the case's, the union contact's


@pytest.mark.parametrize(("first", "second"), list(itertools.permutations(ADMIN_ROLES, 2)))
def test_no_account_holds_two_administrator_roles(cast, first, second):
    user = User.objects.create_user(username="twohats")
    sysadmin = actor_for(cast.system_admin)
    users_services.grant_add(actor=sysadmin, user=user, role=first, org=cast.city)
    # Refused by the service, also at another unit...
    for org in (cast.city, cast.county_a):
        with pytest.raises(ValidationError):
            users_services.grant_add(actor=sysadmin, user=user, role=second, org=org)
    # ...and by the database when the service is bypassed.
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.create(user=user, role=second, org=cast.county_a)
    assert list(user.grants.values_list("role", flat=True)) == [first]


def test_administrator_permissions_do_not_overlap_with_personal_data():
    personal = {"personal.reveal", "member.view", "case.view", "export", "audit.view", "approval.decide",
                "privacy.handle"}
    assert PERMISSIONS[Role.SYSTEM_ADMIN] & personal == set()
    assert PERMISSIONS[Role.SECURITY_ADMIN] & (personal | {"user.manage"}) == set()
    assert PERMISSIONS[Role.AUDIT_ADMIN] == frozenset({"audit.view"})


# The system administrator: users, grants, the calendar and the time-limit policy; never people or the trail.

SYSTEM_ADMIN_PAGES = {
    "", "account/", "account/tokens/<str:prefix>/revoke/", "switch/", "logout/", "users/", "users/new/",
    "users/<str:username>/", "calendar/", "calendar/<int:year>/", "calendar/<int:year>/edit/",
    "cases/policies/", "cases/policies/add/", "cases/policies/delete/",
    # The tree without people: unions' records, contact phones masked.
    "orgs/", "orgs/tree/", "orgs/<str:code>/", "api/v1/orgs", "api/v1/orgs/<code>", "api/v1/orgs/<code>/children",
    "api/v1/me", "api/v1/workdays/add", "api/v1/workdays/between",
}


def _own_account(route: str) -> bool:
    """The start page (it only redirects) and the pages every signed-in person uses for their own account
    (password, second factor, tokens, the unit they act for)."""
    return route == "" or route.startswith(("account/", "two-factor", "login/", "logout/", "switch/", "api/v1/me"))


def _is_api(route: str) -> bool:
    return route.startswith("api/")


def _reads_people_or_trail(route: str) -> bool:
    return route.startswith(("members/", "cases/", "audit/", "approvals/", "api/v1/members", "api/v1/casework",
                             "api/v1/audit", "api/v1/approvals", "privacy/requests", "overview/")) \
        or "reveal" in route or route.endswith(("/overview/", "figures"))


def test_the_system_administrator_reaches_no_personal_data_and_no_audit_trail(cast, login, walk_values):
    client = login(cast.system_admin)
    walked = 0
    for route in _routes():
        if route in PUBLIC or route.startswith("static") or route in SYSTEM_ADMIN_PAGES or _own_account(route):
            continue
        if not _reads_people_or_trail(route):
            continue
        url = _fill(route, walk_values)
        for method in ("get", "post"):
            if _is_api(route) and method == "post":
                resp = client.post(url, {}, content_type="application/json")
            else:
                resp = getattr(client, method)(url)
            ok = _refused(resp) or (_is_api(route) and method == "post" and resp.status_code == 422)
            assert ok, f"{method.upper()} {url} answered {resp.status_code} to the system administrator"
        walked += 1
    assert walked > 30
    # The pages the system administrator may open show no number in clear, and lists do not export.
    for route in sorted(SYSTEM_ADMIN_PAGES - {"logout/", "switch/", "account/tokens/<str:prefix>/revoke/"}):
        resp = client.get(_fill(route, {**walk_values, "username": "officer_a", "code": "GA"}))
        body = resp.content.decode(errors="replace")
        for secret in (MEMBER_ID, *PHONES):
            assert secret not in body, f"{route} shows a number in clear to the system administrator"
    assert client.get("/orgs/", {"export": "xlsx"}).status_code == 403


def test_the_system_administrator_exports_and_reveals_nothing(cast, login, walk_values):
    client = login(cast.system_admin)
    for url in ("/members/?export=xlsx", "/cases/?export=xlsx", "/audit/?export=xlsx",
                "/members/applications/?export=xlsx", "/approvals/?export=xlsx"):
        assert client.get(url).status_code == 403, url
    for url in (f"/members/p/{walk_values['uid']}/reveal/", f"/cases/{walk_values['case_code']}/reveal/",
                "/orgs/GA/reveal-phone/"):
        resp = client.post(url, {"field": "phone", "reason": "核对"})
        assert resp.status_code in (403, 404), url
    assert not AuditEvent.objects.filter(actor=cast.system_admin, action__startswith="personal.").exists()


# The audit administrator: reads the trail, writes nothing.

def test_the_audit_administrator_reads_the_trail(cast, login, walk_values):
    client = login(cast.audit_admin)
    resp = client.get("/audit/", {"action": "member.add"})
    assert resp.status_code == 200 and "member.add" in resp.content.decode()
    resp = client.get("/api/v1/audit", {"action": "member.add"})
    assert resp.status_code == 200 and resp.json()["items"][0]["action"] == "member.add"
    assert client.get("/audit/", {"export": "xlsx"}).status_code == 403  # reads on screen, takes no copy


def test_every_write_route_refuses_the_audit_administrator(cast, login, walk_values):
    client = login(cast.audit_admin)
    walked = 0
    for route in _routes():
        if route in PUBLIC or route.startswith("static") or _own_account(route):
            continue
        url = _fill(route, walk_values)
        methods = ("post", "put", "patch", "delete")
        for method in methods:
            if _is_api(route):
                resp = getattr(client, method)(url, {}, content_type="application/json")
                # A body the schema refuses never reaches a service: nothing is written either way.
                ok = _refused(resp) or resp.status_code == 422
            else:
                resp = getattr(client, method)(url, {"reason": "x", "note": "x", "name": "x"})
                ok = _refused(resp)
            assert ok, f"{method.upper()} {url} answered {resp.status_code} to the audit administrator"
        walked += 1
    assert walked > 40
    # Whatever the answer, nothing was done in the audit administrator's name.
    done = (AuditEvent.objects.filter(actor=cast.audit_admin).exclude(action="access.denied")
            .exclude(action__startswith="auth."))
    assert not done.exists(), list(done.values_list("action", flat=True))
