"""Mass assignment: a posted field the form or schema does not own (the org, a role, a status, a tree path, a
code, who created it, a color or a due date) changes nothing. The pages' forms drop unknown fields; the API's
schemas ignore them (pydantic's default) and the call succeeds on the fields it owns — both tested here."""

import datetime

import pytest

from gonghui.casework.models import Case, State
from gonghui.core import approvals
from gonghui.core.access import actor_for
from gonghui.core.models import Approval, Grant, User
from gonghui.members import applications
from gonghui.members.models import ApplicationStatus, JoinApplication, Membership, MembershipStatus
from gonghui.members.tests.factories import add_member, resident_id
from gonghui.orgs.models import Org

# Fields no form or schema owns, posted with every write below.
FOREIGN = {"status": "dissolved", "path": "0009", "depth": "1", "numchild": "7", "org": "GB", "union": "GB",
           "org_path": "0002", "role": "system_admin", "is_superuser": "on", "is_staff": "on", "grant": "1",
           "created_by": "1", "created_at": "2001-01-01T00:00:00", "color": "red", "due_on": "2001-01-01",
           "state": "closed", "holder_org": "GB", "owner": "1", "limit_days": "99", "source": "import",
           "is_female": "on", "left_on": "2001-01-01", "membership": "1", "decided_by": "1", "checker": "1",
           "maker": "1", "execute_by": "2099-01-01T00:00:00", "uid": "AAAAAAAAAA"}


def _api(client, method, url, body):
    return getattr(client, method)(url, body, content_type="application/json")


# Organizations

def test_org_forms_ignore_foreign_fields(cast, login):
    client = login(cast.officer_a)
    resp = client.post("/orgs/GA/new/", {**FOREIGN, "code": "GA-X", "name": "二车间分会", "level": "branch",
                                         "kind": "enterprise", "employee_count": "40"})
    assert resp.status_code == 302
    org = Org.objects.get(code="GA-X")
    assert (org.status, org.level, org.depth) == ("active", "branch", cast.grassroots_a.depth + 1)
    assert org.path.startswith(cast.grassroots_a.path)
    resp = client.post("/orgs/GA/edit/", {**FOREIGN, "code": "ZZ", "level": "city", "name": "东湖机械厂工会（改）",
                                          "kind": "enterprise", "employee_count": "321"})
    assert resp.status_code == 302
    ga = Org.objects.get(pk=cast.grassroots_a.pk)
    assert (ga.code, ga.level, ga.status, ga.path, ga.name) == ("GA", "grassroots", "active",
                                                                cast.grassroots_a.path, "东湖机械厂工会（改）")


def test_org_api_ignores_foreign_fields(cast, login):
    client = login(cast.officer_a)
    resp = _api(client, "post", "/api/v1/orgs", {**FOREIGN, "parent": "GA", "code": "GA-Y", "name": "三车间分会",
                                                 "level": "branch", "kind": "enterprise"})
    assert resp.status_code == 201
    org = Org.objects.get(code="GA-Y")
    assert (org.status, org.path[:-Org.steplen]) == ("active", cast.grassroots_a.path)
    resp = _api(client, "patch", "/api/v1/orgs/GA", {**FOREIGN, "code": "ZZ", "level": "city", "employee_count": 5})
    assert resp.status_code == 200 and resp.json()["employee_count"] == 5
    ga = Org.objects.get(pk=cast.grassroots_a.pk)
    assert (ga.code, ga.level, ga.status, ga.path) == ("GA", "grassroots", "active", cast.grassroots_a.path)


# Members

def test_member_forms_ignore_foreign_fields(cast, login):
    client = login(cast.officer_a)
    number = resident_id()
    resp = client.post("/members/new/", {**FOREIGN, "union": "GA", "name": "王磊", "doc_type": "resident_id",
                                         "id_number": number, "joined_on": "2024-01-05"})
    assert resp.status_code == 302
    m = Membership.objects.get(person__name="王磊")
    assert (m.union, m.org_path, m.status, m.source, m.is_female, m.left_on) == (
        cast.grassroots_a, cast.grassroots_a.path, MembershipStatus.ACTIVE, "manual", False, None)
    resp = client.post(f"/members/p/{m.person.uid}/edit/", {**FOREIGN, "name": "王磊", "doc_type": "resident_id",
                                                             "joined_on": "2024-01-05", "job_title": "钳工"})
    assert resp.status_code == 302
    m.refresh_from_db()
    assert (m.union, m.org_path, m.status, m.source, m.job_title) == (
        cast.grassroots_a, cast.grassroots_a.path, MembershipStatus.ACTIVE, "manual", "钳工")


def test_member_api_ignores_foreign_fields(cast, login):
    client = login(cast.officer_a)
    person = {"id_number": resident_id(), "name": "赵敏", "uid": "AAAAAAAAAA", "id_number_bidx": "x"}
    resp = _api(client, "post", "/api/v1/members", {**FOREIGN, "union": "GA", "person": person,
                                                    "joined_on": "2024-01-05"})
    assert resp.status_code == 201
    m = Membership.objects.get(person__name="赵敏")
    assert (m.union, m.status, m.source) == (cast.grassroots_a, MembershipStatus.ACTIVE, "manual")
    assert m.person.uid != "AAAAAAAAAA"


# Join applications: the public form and the union's decision

def _join_form(**extra):
    return {"name": "张伟", "doc_type": "resident_id", "id_number": resident_id(), "sex": "", "birth_date": "",
            "phone": "13912345678", "ethnicity": "", "education": "", "political_status": "", "job_title": "焊工",
            "employment_form": "", "agree_join": "on", "consent_sensitive": "on",
            "notice_version": applications.JOIN_NOTICE_VERSION, **extra}


def test_join_application_ignores_foreign_fields(cast, client, login):
    resp = client.post("/join/GA/", _join_form(**{**FOREIGN, "status": "approved", "code": "ZZZZZZZZZZ"}))
    assert resp.status_code == 302
    a = JoinApplication.objects.get()
    assert (a.union, a.org_path, a.status, a.membership, a.decided_by) == (
        cast.grassroots_a, cast.grassroots_a.path, ApplicationStatus.PENDING, None, None)
    assert a.code != "ZZZZZZZZZZ"
    officer = login(cast.grassroots_officer)
    resp = officer.post(f"/members/applications/{a.code}/approve/", {**FOREIGN, "joined_on": "2026-01-05"})
    assert resp.status_code == 302
    a.refresh_from_db()
    assert a.status == ApplicationStatus.APPROVED and a.decided_by == cast.grassroots_officer
    assert (a.membership.union, a.membership.source) == (cast.grassroots_a, "online")


# Casework

def _case_form(**extra):
    return {"channel": "visit", "people": "1", "worker_name": "陈秀兰", "phone": "13712345678", "workplace": "",
            "category": "solution", "topic": "wages", "complexity": "general", "subject": "欠薪三个月",
            "description": "", "received_on": "", "source_note": "", "dispatch_to": "", "reply": "", **extra}


def _assert_fresh(case, org):
    assert (case.state, case.color, case.holder_org, case.org_path) == (State.RECEIVED, "", org, org.path)
    assert case.due_on > datetime.date(2001, 1, 1) and case.limit_days != 99


def test_case_forms_ignore_foreign_fields(cast, login):
    client = login(cast.officer_a)
    assert client.post("/cases/new/", _case_form(**FOREIGN)).status_code == 302
    case = Case.objects.get()
    _assert_fresh(case, cast.county_a)
    assert case.owner == cast.officer_a
    resp = client.post(f"/cases/{case.code}/progress/", {**FOREIGN, "note": "已联系企业"})
    assert resp.status_code == 302
    case.refresh_from_db()
    assert (case.color, case.holder_org, case.org_path) == ("", cast.county_a, cast.county_a.path)
    assert case.due_on > datetime.date(2001, 1, 1) and case.state != State.CLOSED


def test_case_api_ignores_foreign_fields(cast, login):
    client = login(cast.officer_a)
    body = {k: v for k, v in _case_form(**FOREIGN).items() if k not in ("dispatch_to", "reply", "received_on")}
    resp = _api(client, "post", "/api/v1/casework", body)
    assert resp.status_code == 201
    _assert_fresh(Case.objects.get(), cast.county_a)


# User management and one's own account

def test_user_forms_ignore_foreign_fields(cast, login):
    client = login(cast.system_admin)
    resp = client.post("/users/new/", {**FOREIGN, "role": "union_officer", "username": "liming", "display_name": "李明",
                                       "org": "GB", "password": "Xx-strong-2026", "must_change_password": ""})
    assert resp.status_code == 302
    user = User.objects.get(username="liming")
    assert (user.is_superuser, user.is_staff, user.must_change_password) == (False, False, True)
    assert list(user.grants.values_list("role", "org__code")) == [("union_officer", "GB")]
    resp = client.post("/users/liming/", {**FOREIGN, "g-role": "auditor", "g-org": "GB", "g-user": "1"})
    assert resp.status_code == 302
    user.refresh_from_db()
    assert (user.is_superuser, user.is_staff) == (False, False)
    assert set(user.grants.values_list("role", flat=True)) == {"union_officer", "auditor"}
    assert not Grant.objects.filter(user=cast.system_admin).exclude(role="system_admin").exists()


def test_own_account_page_ignores_foreign_fields(cast, login):
    client = login(cast.officer_a)
    client.post("/account/", {**FOREIGN, "tk-name": "报表系统", "username": "root", "display_name": "x"})
    user = User.objects.get(pk=cast.officer_a.pk)
    assert (user.username, user.is_superuser, user.is_staff) == ("officer_a", False, False)
    assert list(user.grants.values_list("role", flat=True)) == ["federation_staff"]


# Approvals

@pytest.fixture
def request_for_export(cast):
    add_member(cast.officer_a, cast.grassroots_a, name="张秀英")
    return approvals.approval_request(actor=actor_for(cast.grassroots_officer), kind=approvals.MEMBERS_EXPORT,
                                      org=cast.grassroots_a, payload={"filters": {}, "rows": 1}, reason="报送")


def test_approval_forms_and_api_ignore_foreign_fields(cast, login, request_for_export):
    a = request_for_export
    client = login(cast.officer_a)
    foreign = {**FOREIGN, "checker": str(cast.city_staff.pk), "maker": str(cast.officer_a.pk), "state": "executed"}
    assert client.post(f"/approvals/{a.uid}/approve/", {**foreign, "note": "同意"}).status_code == 302
    a = Approval.objects.get(pk=a.pk)
    assert (a.state, a.checker, a.maker, a.org) == (Approval.State.APPROVED, cast.officer_a, cast.grassroots_officer,
                                                    cast.grassroots_a)
    assert a.execute_by.year < 2099
    b = approvals.approval_request(actor=actor_for(cast.grassroots_officer), kind=approvals.MEMBERS_EXPORT,
                                   org=cast.grassroots_a, payload={"filters": {}, "rows": 1}, reason="再报")
    resp = _api(client, "post", f"/api/v1/approvals/{b.uid}/reject", {**foreign, "note": "不必"})
    assert resp.status_code == 200
    b = Approval.objects.get(pk=b.pk)
    assert (b.state, b.checker, b.maker) == (Approval.State.REJECTED, cast.officer_a, cast.grassroots_officer)


def test_an_export_request_cannot_name_its_own_org_or_kind(cast, login):
    """The org comes from the filter (inside the maker's scope), the kind from the page: not from the body."""
    client = login(cast.grassroots_officer)
    resp = client.post("/members/?union=GA", {**FOREIGN, "kind": "aid.pay", "reason": "报送"})
    assert resp.status_code == 302
    a = Approval.objects.get()
    assert (a.kind, a.org, a.maker) == (approvals.MEMBERS_EXPORT, cast.grassroots_a, cast.grassroots_officer)
    # A union outside the scope is refused next to the filter, and no wider export is asked for instead.
    refused = client.post("/members/?union=CA", {"reason": "报送"})
    assert refused.status_code == 200 and "未找到该单位" in refused.content.decode()
    assert Approval.objects.count() == 1
