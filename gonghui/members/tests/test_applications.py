import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.core import notify
from gonghui.core.identity import id_check_char
from gonghui.core.models import AuditEvent
from gonghui.members import applications, services
from gonghui.members.models import ApplicationStatus, Consent, JoinApplication, Membership, MembershipStatus
from gonghui.orgs.models import Org

PHONE = "13912345678"


def make_id(seq: int = 1, sex: str = "M", birth: str = "19900307") -> str:
    first17 = "330102" + birth + f"{seq:02d}" + ("1" if sex == "M" else "2")
    return first17 + id_check_char(first17)


def app_data(**overrides) -> dict:
    data = {"name": "李娜", "doc_type": "resident_id", "id_number": make_id(1, "F"), "sex": "", "birth_date": None,
            "phone": PHONE, "ethnicity": "汉族", "education": "college", "political_status": "masses",
            "job_title": "装配工", "employment_form": "full_time", "is_migrant_worker": True,
            "is_new_employment": False, "is_dispatched": False}
    data.update(overrides)
    return data


def submit(union, **overrides) -> JoinApplication:
    return applications.application_submit(union=union, data=app_data(**overrides),
                                           consent_version=applications.JOIN_NOTICE_VERSION, ip="10.0.0.8")


@pytest.fixture
def outbox(settings):
    settings.GONGHUI_NOTIFY_BACKEND = "gonghui.core.notify.LocmemBackend"
    notify.outbox.clear()
    yield notify.outbox
    notify.outbox.clear()


# Submitting (public)

def test_submit_stores_the_application_consent_and_an_audit_event(cast):
    a = submit(cast.grassroots_a)
    a.refresh_from_db()
    assert len(a.code) == applications.CODE_LENGTH and set(a.code) <= set(applications.CODE_CHARS)
    assert a.status == ApplicationStatus.PENDING
    assert a.union == cast.grassroots_a and a.org_path == cast.grassroots_a.path
    assert (a.sex, a.birth_date) == ("F", datetime.date(1990, 3, 7))  # read from the ID number
    assert a.phone == PHONE and a.phone_last4 == "5678"
    assert a.id_number_bidx == services.id_index("resident_id", make_id(1, "F"))
    assert (a.job_title, a.is_migrant_worker, a.employment_form) == ("装配工", True, "full_time")
    consent = Consent.objects.get(pk=a.consent_id)
    assert (consent.purpose, consent.notice_version, consent.ip) == ("join", "2026-11", "10.0.0.8")
    assert consent.given_at is not None
    event = AuditEvent.objects.get(action="member.application.submit")
    assert (event.object_id, event.scope_path, event.actor_name) == (a.code, cast.grassroots_a.path, "public")
    assert make_id(1, "F") not in str(event.details) and PHONE not in str(event.details)
    with connection.cursor() as cur:  # encrypted at rest
        cur.execute("SELECT id_number, phone FROM members_joinapplication WHERE id = %s", [a.pk])
        raw = " ".join(cur.fetchone())
    assert make_id(1, "F") not in raw and PHONE not in raw


def test_agency_and_platform_work_set_their_categories(cast):
    a = submit(cast.grassroots_a, employment_form="platform")
    assert a.is_new_employment is True
    b = submit(cast.branch_a, employment_form="dispatched")
    assert b.is_dispatched is True and b.union == cast.branch_a


def test_a_second_pending_application_to_the_same_union_is_refused(cast):
    first = submit(cast.grassroots_a)
    with pytest.raises(ValidationError) as exc:
        submit(cast.grassroots_a, phone="13700001111")
    assert exc.value.code == "pending_exists"
    assert first.code not in " ".join(exc.value.messages)  # the code is not re-shown to whoever typed the ID
    assert JoinApplication.objects.count() == 1
    # Another union is a separate application; a decided one does not block a new one.
    submit(cast.grassroots_b)
    applications.application_reject(actor=cast.actor(cast.grassroots_officer), application=first, reason="重复")
    submit(cast.grassroots_a)
    assert JoinApplication.objects.filter(status="pending").count() == 2


def test_an_active_member_is_told_to_ask_for_a_transfer_without_naming_the_union(cast):
    services.member_add(actor=cast.actor(cast.officer_b), union=cast.grassroots_b,
                        person={"id_number": make_id(1, "F"), "name": "李娜", "phone": "13600000000"},
                        joined_on=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError) as exc:
        submit(cast.grassroots_a)
    assert exc.value.code == "already_member"
    text = " ".join(exc.value.messages)
    assert text == _("You are already an active union member. To move to this union, ask your union or this one "
                     "for a transfer of your membership instead of applying.")
    for leak in (cast.grassroots_b.name, cast.grassroots_b.code, cast.county_b.name):
        assert leak not in text
    # The same answer when they are already a member of the very union they apply to.
    with pytest.raises(ValidationError) as exc2:
        submit(cast.grassroots_b)
    assert exc2.value.messages == exc.value.messages
    assert JoinApplication.objects.count() == 0
    assert not Consent.objects.exists()


def test_a_former_member_may_apply_again(cast):
    m = services.member_add(actor=cast.actor(cast.officer_b), union=cast.grassroots_b,
                            person={"id_number": make_id(1, "F"), "name": "李娜"}, joined_on=datetime.date(2020, 1, 1))
    services.member_leave(actor=cast.actor(cast.officer_b), membership=m, left_on=datetime.date(2024, 1, 1),
                          reason="离职")
    assert submit(cast.grassroots_a).status == ApplicationStatus.PENDING


@pytest.mark.parametrize(("overrides", "field"), [
    ({"id_number": make_id(1, "F")[:17] + ("0" if make_id(1, "F")[17] != "0" else "1")}, "id_number"),
    ({"sex": "M"}, "sex"),
    ({"birth_date": datetime.date(1991, 3, 7)}, "birth_date"),
    ({"phone": ""}, "phone"),
    ({"phone": "12345"}, "phone"),
    ({"name": "  "}, "name"),
    ({"employment_form": "astronaut"}, "employment_form"),
])
def test_bad_input_names_the_field_and_writes_nothing(cast, overrides, field):
    with pytest.raises(ValidationError) as exc:
        submit(cast.grassroots_a, **overrides)
    assert field in exc.value.message_dict
    assert not JoinApplication.objects.exists() and not Consent.objects.exists()


def test_consent_is_required_and_must_be_for_the_current_notice(cast):
    for version, code in (("", "consent_required"), ("2020-01", "notice_changed")):
        with pytest.raises(ValidationError) as exc:
            applications.application_submit(union=cast.grassroots_a, data=app_data(), consent_version=version, ip=None)
        assert exc.value.error_dict["consent_sensitive"][0].code == code
    assert not JoinApplication.objects.exists()


def test_only_active_grassroots_unions_and_branches_take_applications(cast):
    with pytest.raises(ValidationError) as exc:
        submit(cast.county_a)
    assert "union" in exc.value.message_dict
    Org.objects.filter(pk=cast.grassroots_b.pk).update(status="dissolved", dissolved_on=datetime.date(2025, 1, 1))
    cast.grassroots_b.refresh_from_db()
    with pytest.raises(ValidationError):
        submit(cast.grassroots_b)


# Deciding (the union)

def test_approve_creates_the_membership_and_notifies_after_commit(cast, outbox, django_capture_on_commit_callbacks):
    a = submit(cast.grassroots_a)
    actor = cast.actor(cast.grassroots_officer)
    with django_capture_on_commit_callbacks() as callbacks:
        a = applications.application_approve(actor=actor, application=a, joined_on=datetime.date(2026, 1, 5))
        assert outbox == []  # nothing leaves before the commit
    for cb in callbacks:
        cb()
    a.refresh_from_db()
    assert a.status == ApplicationStatus.APPROVED and a.decided_by == cast.grassroots_officer
    assert a.decided_at is not None
    m = Membership.objects.select_related("person").get(pk=a.membership_id)
    assert (m.union, m.status, m.source, m.joined_on) == (cast.grassroots_a, MembershipStatus.ACTIVE, "online",
                                                           datetime.date(2026, 1, 5))
    assert (m.is_migrant_worker, m.job_title, m.is_female) == (True, "装配工", True)
    assert (m.person.name, m.person.id_number, m.person.phone) == ("李娜", make_id(1, "F"), PHONE)
    assert [(x.to_phone, x.template) for x in outbox] == [(PHONE, "join.approved")]
    assert outbox[0].context == {"code": a.code, "union": cast.grassroots_a.name}
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["member.add", "member.application.approve"]


def test_approve_defaults_to_today(cast, outbox):
    a = applications.application_approve(actor=cast.actor(cast.officer_a), application=submit(cast.grassroots_a))
    assert a.membership.joined_on == datetime.date.today()


def test_reject_needs_a_reason_and_notifies_it(cast, outbox, django_capture_on_commit_callbacks):
    a = submit(cast.grassroots_a)
    actor = cast.actor(cast.grassroots_officer)
    with pytest.raises(ValidationError) as exc:
        applications.application_reject(actor=actor, application=a, reason="   ")
    assert "reason" in exc.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        applications.application_reject(actor=actor, application=a, reason="  您不是本厂职工，请向所在单位工会申请。 ")
    a.refresh_from_db()
    assert (a.status, a.reject_reason) == (ApplicationStatus.REJECTED, "您不是本厂职工，请向所在单位工会申请。")
    assert a.membership is None and not Membership.objects.exists()
    assert [(x.to_phone, x.template, x.context["reason"]) for x in outbox] == [
        (PHONE, "join.rejected", "您不是本厂职工，请向所在单位工会申请。")]
    event = AuditEvent.objects.get(action="member.application.reject")
    assert event.object_id == a.code and "reason" not in event.details


def test_approve_refuses_when_they_became_a_member_elsewhere(cast, outbox, django_capture_on_commit_callbacks):
    a = submit(cast.grassroots_a)
    services.member_add(actor=cast.actor(cast.officer_b), union=cast.grassroots_b,
                        person={"id_number": make_id(1, "F"), "name": "李娜"}, joined_on=datetime.date(2026, 2, 1))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as exc:
        applications.application_approve(actor=cast.actor(cast.officer_a), application=a)
    assert exc.value.code == "already_member"
    assert cast.grassroots_b.name not in exc.value.messages[0]  # outside officer_a's scope: not named
    a.refresh_from_db()
    assert a.status == ApplicationStatus.PENDING and a.membership is None
    assert Membership.objects.count() == 1 and outbox == []
    # Seen from the city, the other union is named.
    with pytest.raises(ValidationError) as exc2:
        applications.application_approve(actor=cast.actor(cast.city_staff), application=a)
    assert cast.grassroots_b.name in exc2.value.messages[0]


def test_a_decided_application_is_not_decided_again(cast, outbox):
    a = submit(cast.grassroots_a)
    actor = cast.actor(cast.grassroots_officer)
    applications.application_reject(actor=actor, application=a, reason="信息不全")
    with pytest.raises(ValidationError) as exc:
        applications.application_approve(actor=actor, application=a)
    assert exc.value.code == "decided"
    with pytest.raises(ValidationError):
        applications.application_reject(actor=actor, application=a, reason="again")


def test_deciding_needs_write_permission_and_scope(cast):
    a = submit(cast.grassroots_a)
    with pytest.raises(Http404):
        applications.application_approve(actor=cast.actor(cast.officer_b), application=a)
    with pytest.raises(Http404):
        applications.application_reject(actor=cast.actor(cast.officer_b), application=a, reason="x")
    with pytest.raises(PermissionDenied):
        applications.application_approve(actor=cast.actor(cast.auditor_a), application=a)
    a.refresh_from_db()
    assert a.status == ApplicationStatus.PENDING


def test_back_office_reads_are_scoped(cast):
    a = submit(cast.grassroots_a)
    submit(cast.grassroots_b, id_number=make_id(2, "M"))
    codes = set(applications.application_list(actor=cast.actor(cast.officer_a)).values_list("code", flat=True))
    assert codes == {a.code}
    assert applications.application_get(actor=cast.actor(cast.auditor_a), code=a.code.lower()) == a
    with pytest.raises(Http404):
        applications.application_get(actor=cast.actor(cast.officer_b), code=a.code)
    with pytest.raises(Http404):
        applications.application_get(actor=cast.actor(cast.system_admin), code=a.code)  # no member.view
    assert applications.application_list(actor=cast.actor(cast.city_staff), filters={"q": "李"}).count() == 2


# Status lookup (public)

def test_status_lookup_needs_the_code_and_the_last_four_digits(cast):
    a = submit(cast.grassroots_a)
    assert applications.application_status(code=a.code, phone_last4="5678") == a
    assert applications.application_status(code=f" {a.code.lower()} ", phone_last4="５６７８") == a
    assert applications.application_status(code=a.code, phone_last4="5679") is None
    assert applications.application_status(code="ZZZZZZZZZZ", phone_last4="5678") is None
    assert applications.application_status(code="", phone_last4="") is None
    assert applications.application_status(code=a.code, phone_last4="678") is None


# Union picker (public)

def test_public_union_search_lists_only_names_of_unions_taking_members(cast):
    assert applications.public_union_search(q="东") == []  # fewer than 2 characters
    assert applications.public_union_search(q="东湖") == [{"code": "GA", "name": "东湖机械厂工会"}]
    names = {r["name"] for r in applications.public_union_search(q="工会")}
    assert names == {"东湖机械厂工会", "西山水泥厂工会"}  # no federations
    branch = applications.public_union_search(q="车间")
    assert branch == [{"code": "GA-B", "name": "东湖机械厂工会 · 一车间分会"}]
    Org.objects.filter(pk=cast.grassroots_b.pk).update(status="dissolved", dissolved_on=datetime.date(2025, 1, 1))
    cast.grassroots_b.refresh_from_db()
    assert {r["code"] for r in applications.public_union_search(q="工会")} == {"GA"}


def test_public_union_search_shows_at_most_twenty(cast):
    for i in range(25):
        Org.objects.add_child(cast.county_a, instance=Org(code=f"T{i:02d}", name=f"测试厂{i:02d}工会",
                                                          level="grassroots", kind="enterprise"))
    assert len(applications.public_union_search(q="测试厂")) == 20


def test_public_union_get_is_a_404_for_federations_and_unknown_codes(cast):
    assert applications.public_union_get(code="ga") == cast.grassroots_a
    for code in ("CA", "CITY", "NOPE", ""):
        with pytest.raises(Http404):
            applications.public_union_get(code=code)


# Back-office screens

def test_union_officer_lists_pending_applications_masked(cast, login):
    a = submit(cast.grassroots_a)
    r = login(cast.grassroots_officer).get(reverse("members:applications"))
    assert r.status_code == 200
    html = r.content.decode()
    assert a.code in html and "李娜" in html
    assert make_id(1, "F") not in html and PHONE not in html
    assert "139****5678" in html and "330***********" + make_id(1, "F")[-4:] in html
    assert "no-store" in r["Cache-Control"]
    assert "/join/GA/" in html  # the printable joining link of the officer's own union


def test_officer_approves_in_the_back_office(cast, login, outbox, django_capture_on_commit_callbacks):
    a = submit(cast.grassroots_a)
    client = login(cast.grassroots_officer)
    r = client.get(reverse("members:application", args=[a.code]))
    assert r.status_code == 200 and b"approve-form" in r.content and b"reject-form" in r.content
    assert make_id(1, "F").encode() not in r.content
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("members:application_approve", args=[a.code]), {"joined_on": "2026-03-01"})
    assert r.status_code == 302 and r["Location"] == reverse("members:application", args=[a.code])
    a.refresh_from_db()
    assert a.status == "approved" and a.membership.joined_on == datetime.date(2026, 3, 1)
    assert len(outbox) == 1
    r = client.get(reverse("members:application", args=[a.code]))
    assert b"approve-form" not in r.content and b"membership-link" in r.content


def test_reject_screen_requires_a_reason(cast, login):
    a = submit(cast.grassroots_a)
    client = login(cast.officer_a)
    r = client.post(reverse("members:application_reject", args=[a.code]), {"reason": ""})
    assert r.status_code == 422 and b"is-invalid" in r.content
    r = client.post(reverse("members:application_reject", args=[a.code]), {"reason": "非本单位职工"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert (a.status, a.reject_reason) == ("rejected", "非本单位职工")


def test_other_county_cannot_see_or_decide(cast, login):
    a = submit(cast.grassroots_a)
    client = login(cast.officer_b)
    assert a.code not in client.get(reverse("members:applications")).content.decode()
    assert client.get(reverse("members:application", args=[a.code])).status_code == 404
    assert client.post(reverse("members:application_approve", args=[a.code]),
                       {"joined_on": "2026-03-01"}).status_code == 404
    assert client.post(reverse("members:application_reject", args=[a.code]), {"reason": "x"}).status_code == 404
    a.refresh_from_db()
    assert a.status == "pending"


def test_auditor_can_view_but_not_decide(cast, login):
    a = submit(cast.grassroots_a)
    client = login(cast.auditor_a)
    r = client.get(reverse("members:application", args=[a.code]))
    assert r.status_code == 200 and b"approve-form" not in r.content
    assert client.post(reverse("members:application_approve", args=[a.code]),
                       {"joined_on": "2026-03-01"}).status_code == 403
    assert client.post(reverse("members:application_reject", args=[a.code]), {"reason": "x"}).status_code == 403
    a.refresh_from_db()
    assert a.status == "pending"


def test_anonymous_is_sent_to_log_in(cast, client):
    a = submit(cast.grassroots_a)
    for url in (reverse("members:applications"), reverse("members:application", args=[a.code])):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    r = client.post(reverse("members:application_approve", args=[a.code]), {"joined_on": "2026-03-01"})
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    a.refresh_from_db()
    assert a.status == "pending"
