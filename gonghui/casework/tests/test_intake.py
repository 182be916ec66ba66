import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.core.workdays import add_workdays
from gonghui.members.models import Consent

from .. import intake
from ..models import Action, Case, Intake, State
from ..testing import PHONE, intake_data, log_case

pytestmark = pytest.mark.django_db


# A visit logged at the front desk

def test_a_visit_logged_at_the_front_desk_opens_a_case_owned_by_the_officer(cast, clock):
    result = intake.case_log(actor=actor_for(cast.officer_a), data=intake_data(people=3))
    case = result.case
    case.refresh_from_db()
    assert result.linked is False
    assert (case.state, case.channel, case.people, case.is_collective) == (State.RECEIVED, "visit", 3, False)
    assert case.intake_org == cast.county_a and case.holder_org == cast.county_a
    assert case.org_path == cast.county_a.path == case.intake_path
    assert case.owner == cast.officer_a and case.received_by == cast.officer_a  # 首问负责
    assert case.received_on == clock.today and case.clock_start == clock.today
    # A request for a solution about wages, general: 5 working days from the policy table.
    assert case.limit_days == 5 and case.policy.working_days == 5
    assert case.due_on == add_workdays(clock.today, 5) == datetime.date(2026, 3, 9)
    assert case.due_provisional is False
    assert case.phone == PHONE and case.phone_last4 == "5678"
    first = Intake.objects.get(case=case)
    assert (first.first, first.channel, first.people, first.org, first.received_by) == (
        True, "visit", 3, cast.county_a, cast.officer_a)
    assert [e.action for e in case.events.all()] == [Action.RECEIVED]
    event = AuditEvent.objects.get(action="case.receive")
    assert (event.object_id, event.scope_path, event.actor_name) == (case.code, cast.county_a.path, "officer_a")
    assert PHONE not in str(event.details) and "陈秀兰" not in str(event.details) and "欠薪" not in str(event.details)
    with connection.cursor() as cur:  # the phone is encrypted at rest
        cur.execute("SELECT phone FROM casework_case WHERE id = %s", [case.pk])
        assert PHONE not in cur.fetchone()[0]


def test_five_visitors_or_more_are_a_collective_visit(cast, clock):
    case = log_case(cast.officer_a, people=5)
    assert case.is_collective is True and Intake.objects.get(case=case).is_collective is True
    call = log_case(cast.officer_a, channel="phone", people=7, phone="13700000001")
    assert (call.people, call.is_collective) == (1, False)  # people are counted for visits only


def test_a_letter_counts_from_the_day_it_arrived(cast, clock):
    case = log_case(cast.officer_a, channel="letter", received_on=datetime.date(2026, 2, 26))
    assert case.received_on == datetime.date(2026, 2, 26)
    assert case.due_on == add_workdays(datetime.date(2026, 2, 26), 5)


def test_service_commitments_set_the_time_limit(cast, clock):
    founding = log_case(cast.officer_a, topic="union_founding", phone="13700000002")
    assert (founding.limit_days, founding.due_on) == (3, datetime.date(2026, 3, 5))
    legal = log_case(cast.officer_a, topic="legal_person", phone="13700000003")
    assert (legal.limit_days, legal.due_on) == (0, clock.today)  # the same day
    fund = log_case(cast.officer_a, topic="fund_return", phone="13700000004")
    assert fund.limit_days == 5
    petition = log_case(cast.officer_a, category="petition", complexity="complex", phone="13700000005")
    assert petition.limit_days == 40


def test_a_case_received_in_a_year_without_an_arrangement_is_provisional(cast, clock):
    clock.set(2031, 6, 2)  # no holiday arrangement entered for 2031
    case = log_case(cast.officer_a)
    assert case.due_provisional is True


# Duplicates

def test_the_same_person_and_topic_is_linked_to_the_open_case(cast, clock):
    first = log_case(cast.officer_a)
    again = intake.case_log(actor=actor_for(cast.officer_a),
                            data=intake_data(channel="phone", subject="再次来电", phone="137-1234-5678"))
    assert again.linked is True and again.case.pk == first.pk
    assert Case.objects.count() == 1
    assert list(Intake.objects.filter(case=first).order_by("pk").values_list("channel", "first")) == [
        ("visit", True), ("phone", False)]
    assert [e.action for e in first.events.all()] == [Action.RECEIVED, Action.LINKED]
    # Another topic is another case; a closed case does not catch new requests.
    other = intake.case_log(actor=actor_for(cast.officer_a), data=intake_data(topic="social_insurance"))
    assert other.linked is False
    Case.objects.filter(pk=first.pk).update(state=State.CLOSED, closed_at=clock.now, closed_on=clock.today,
                                            replied_at=clock.now)
    assert intake.case_log(actor=actor_for(cast.officer_a), data=intake_data()).linked is False


def test_a_request_without_a_phone_is_never_taken_for_a_duplicate(cast, clock):
    first = log_case(cast.officer_a, channel="letter", phone="")
    second = log_case(cast.officer_a, channel="letter", phone="")
    assert first.pk != second.pk and Case.objects.count() == 2


# Permissions

def test_an_auditor_cannot_log_a_visit(cast, clock):
    with pytest.raises(PermissionDenied):
        intake.case_log(actor=actor_for(cast.auditor_a), data=intake_data())
    with pytest.raises(PermissionDenied):
        intake.case_log(actor=actor_for(cast.system_admin), data=intake_data())
    assert Case.objects.count() == 0


def test_a_grassroots_officer_logs_at_their_own_union(cast, clock):
    case = log_case(cast.grassroots_officer)
    assert case.intake_org == cast.grassroots_a and case.org_path == cast.grassroots_a.path


# Bad input

@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"channel": "web"}, "channel", "Choose how the request came in."),
    ({"channel": "fax"}, "channel", "Choose how the request came in."),
    ({"topic": ""}, "topic", "Choose what the request is about."),
    ({"category": "praise"}, "category", "Choose the kind of request."),
    ({"subject": " "}, "subject", "Say in a few words what the request is about."),
    ({"subject": "长" * 101}, "subject", "At most 100 characters."),
    ({"phone": "12345"}, "phone", "Write a mobile number (11 digits) or a landline with its area code"),
    ({"people": "0"}, "people", "The number of people is between 1 and 10000."),
    ({"people": "many"}, "people", "The number of people is a whole number."),
    ({"received_on": "2026-03-09"}, "received_on", "The date received cannot be in the future."),
    ({"received_on": "2025-12-01"}, "received_on", "more than 60 days ago"),
    ({"received_on": "2026/03/01"}, "received_on", "Write the date as 2026-01-31."),
])
def test_bad_input_names_the_field(cast, clock, overrides, field, message):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        intake.case_log(actor=actor_for(cast.officer_a), data=intake_data(**overrides))
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    assert Case.objects.count() == 0 and AuditEvent.objects.filter(action__startswith="case.").count() == 0


def test_bad_input_is_reported_all_at_once(cast, clock):
    with pytest.raises(ValidationError) as exc:
        intake.case_log(actor=actor_for(cast.officer_a), data=intake_data(topic="", subject="", phone="1"))
    assert {"topic", "subject", "phone"} <= set(exc.value.message_dict)


def test_a_landline_is_accepted_from_staff(cast, clock):
    case = log_case(cast.officer_a, channel="phone", phone="0571-87654321")
    assert case.phone == "0571-87654321" and case.phone_last4 == "4321"


# The public page

def test_a_web_request_needs_the_current_consent(cast, clock):
    data = intake_data(channel=None)
    with pytest.raises(ValidationError) as exc:
        intake.case_file_public(org=cast.county_a, data=data, consent_version="", ip="10.0.0.1", mobile=True)
    assert "consent" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        intake.case_file_public(org=cast.county_a, data=data, consent_version="2020-01", ip="10.0.0.1", mobile=True)
    assert "consent" in exc.value.message_dict
    assert Case.objects.count() == 0 and Consent.objects.count() == 0


def test_a_web_request_from_a_phone_is_received_and_the_worker_told(cast, clock, outbox,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = intake.case_file_public(org=cast.county_a, data=intake_data(channel=None), ip="10.0.0.1",
                                         mobile=True, consent_version=intake.REQUEST_NOTICE_VERSION)
    case = result.case
    assert (case.channel, case.state, case.owner, case.received_by) == ("mobile", State.RECEIVED, None, None)
    assert case.consent.purpose == "request" and case.consent.ip == "10.0.0.1"
    assert [m.template for m in outbox] == ["case.received"]
    assert outbox[0].to_phone == PHONE and case.code in outbox[0].text
    assert AuditEvent.objects.get(action="case.receive").actor_name == "public"


def test_a_web_request_needs_a_mobile_and_a_description(cast, clock):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        intake.case_file_public(org=cast.county_a, data=intake_data(phone="0571-87654321", description="",
                                                                    worker_name=""),
                                consent_version=intake.REQUEST_NOTICE_VERSION, ip=None, mobile=False)
    assert {"phone", "description", "worker_name"} <= set(exc.value.message_dict)


def test_a_second_web_request_on_the_same_matter_is_flagged_not_linked(
        cast, clock, outbox, django_capture_on_commit_callbacks):
    first = log_case(cast.officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        result = intake.case_file_public(org=cast.county_a, data=intake_data(), ip=None, mobile=False,
                                         consent_version=intake.REQUEST_NOTICE_VERSION)
    assert not result.linked and result.case.pk != first.pk and result.case.repeat_of == first
    assert result.case.is_possible_repeat and not Intake.objects.filter(case=first, first=False).exists()
    # Filed to another county the same phone and topic is no flag there: the earlier case lies outside its subtree.
    other = intake.case_file_public(org=cast.county_b, data=intake_data(), ip=None, mobile=False,
                                    consent_version=intake.REQUEST_NOTICE_VERSION).case
    assert not other.is_possible_repeat
    # The phone is told the new request's own code; the earlier one is named to nobody.
    assert [m.template for m in outbox] == ["case.received"] and first.code not in outbox[0].text


def test_tracking_answers_the_same_for_unknown_codes_and_wrong_digits(cast, clock):
    case = log_case(cast.officer_a)
    assert intake.case_track(code=case.code.lower(), phone_last4="5678").pk == case.pk
    assert intake.case_track(code=case.code, phone_last4="0000") is None
    assert intake.case_track(code="ABCDEFGHJK", phone_last4="5678") is None
    assert intake.case_track(code=case.code, phone_last4="") is None
    no_phone = log_case(cast.officer_a, channel="letter", phone="")
    assert intake.case_track(code=no_phone.code, phone_last4="----") is None
