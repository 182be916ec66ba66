"""Issue 10 §6: a request filed online by a phone with an open case on the same topic becomes its own case, flagged
for staff as a possible repeat; staff link it (audited). The public form never reveals or changes the other case."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent

from .. import intake, selectors, stats
from ..models import Action, Case, CaseStat, Intake, State
from ..testing import intake_data, log_case

pytestmark = pytest.mark.django_db


def file_online(org, **overrides):
    return intake.case_file_public(org=org, data=intake_data(**overrides), ip=None, mobile=True,
                                   consent_version=intake.REQUEST_NOTICE_VERSION).case


def closed_count(org) -> int:
    return sum(CaseStat.objects.filter(org_path=org.path).values_list("closed", flat=True))


def received_count(org) -> int:
    return sum(CaseStat.objects.filter(org_path=org.path).values_list("received", flat=True))


def test_staff_link_a_possible_repeat_and_it_counts_once(cast, clock, outbox, django_capture_on_commit_callbacks):
    earlier = log_case(cast.officer_a)
    repeat = file_online(cast.county_a, subject="又来反映", description="已经三个月没发工资")
    assert repeat.is_possible_repeat and received_count(cast.county_a) == 2
    assert AuditEvent.objects.filter(action="case.possible_repeat", object_id=repeat.code).exists()
    with django_capture_on_commit_callbacks(execute=True):
        intake.case_link_repeat(actor=actor_for(cast.officer_a), case=repeat)
    repeat.refresh_from_db()
    assert repeat.state == State.CLOSED and repeat.linked_at and not repeat.is_possible_repeat
    assert Intake.objects.filter(case=earlier).count() == 2 and not Intake.objects.filter(case=repeat).exists()
    linked = earlier.events.get(action=Action.LINKED)
    assert "已经三个月没发工资" in linked.note and not linked.public
    assert repeat.events.filter(action=Action.REPEAT_LINKED, public=False).exists()
    assert earlier.code not in repeat.reply  # the tracking page of the repeat names no other case
    assert not intake.can_rate(repeat)  # the reply to rate is the earlier case's
    assert AuditEvent.objects.filter(action="case.link_repeat", object_id=repeat.code,
                                     details__into=earlier.code).exists()
    assert AuditEvent.objects.filter(action="case.link", object_id=earlier.code).exists()
    # The linked repeat is no case of its own in the figures, live or rebuilt.
    assert received_count(cast.county_a) == 1 and closed_count(cast.county_a) == 0
    stats.rebuild()
    assert received_count(cast.county_a) == 1 and closed_count(cast.county_a) == 0
    assert [m.template for m in outbox][-1] == "case.linked"


def test_the_staff_front_desk_still_links_directly(cast, clock):
    earlier = log_case(cast.officer_a)
    file_online(cast.county_a)  # a flagged repeat is not the case the desk links to
    again = intake.case_log(actor=actor_for(cast.officer_a), data=intake_data(channel="phone"))
    assert again.linked and again.case == earlier


def test_the_page_and_inbox_show_the_flag_and_the_officer_links_it(cast, clock, login):
    earlier = log_case(cast.officer_a)
    repeat = file_online(cast.county_a)
    client = login(cast.officer_a)
    inbox = client.get(reverse("casework:inbox")).content.decode()
    assert 'data-repeat="1"' in inbox
    page = client.get(reverse("casework:detail", args=[repeat.code])).content.decode()
    assert 'id="case-repeat"' in page and earlier.code in page and 'id="link-repeat-form"' in page
    r = client.post(reverse("casework:case_link_repeat", args=[repeat.code]), follow=True)
    assert r.status_code == 200 and Case.objects.get(pk=repeat.pk).linked_at is not None
    assert 'data-linked="1"' in r.content.decode()


def test_the_api_shows_the_flag_and_links(cast, clock, login):
    log_case(cast.officer_a)
    repeat = file_online(cast.county_a)
    client = login(cast.officer_a)
    body = client.get(f"/api/v1/casework/{repeat.code}").json()
    assert body["possible_repeat"] is True and body["linked_at"] is None
    r = client.post(f"/api/v1/casework/{repeat.code}/link-repeat")
    assert r.status_code == 200 and r.json()["state"] == "closed" and r.json()["possible_repeat"] is False


@pytest.mark.parametrize("who", ["officer_b", "grassroots_officer"])
def test_officers_outside_the_scope_get_404(cast, clock, login, who):
    log_case(cast.officer_a)
    repeat = file_online(cast.county_a)
    client = login(getattr(cast, who))
    assert client.post(reverse("casework:case_link_repeat", args=[repeat.code])).status_code == 404
    assert client.post(f"/api/v1/casework/{repeat.code}/link-repeat").status_code == 404
    with pytest.raises(Exception) as exc:
        intake.case_link_repeat(actor=actor_for(getattr(cast, who)), case=repeat)
    assert type(exc.value).__name__ in ("Http404", "PermissionDenied")
    assert Case.objects.get(pk=repeat.pk).is_possible_repeat


def test_anonymous_and_auditors_cannot_link(cast, clock, client, login):
    log_case(cast.officer_a)
    repeat = file_online(cast.county_a)
    url = reverse("casework:case_link_repeat", args=[repeat.code])
    assert client.post(url)["Location"].startswith("/login/")
    assert login(cast.auditor_a).post(url).status_code == 403
    assert Case.objects.get(pk=repeat.pk).is_possible_repeat


def test_attack_a_phone_with_an_open_case_in_county_b_filed_to_union_a_is_no_flag(cast, clock, login):
    """Security review: an officer of A files online with a worker's phone, topic by topic; nothing on A's pages,
    API or audit tells them the worker has an open case in county B, or where."""
    earlier = log_case(cast.officer_b)  # county B
    repeat = file_online(cast.county_a)
    assert not repeat.is_possible_repeat
    assert not AuditEvent.objects.filter(action="case.possible_repeat", object_id=repeat.code).exists()
    client = login(cast.officer_a)
    page = client.get(reverse("casework:detail", args=[repeat.code])).content.decode()
    assert 'id="case-repeat"' not in page and earlier.code not in page and cast.county_b.name not in page
    inbox = client.get(reverse("casework:inbox")).content.decode()
    assert 'data-repeat="1"' not in inbox
    body = client.get(f"/api/v1/casework/{repeat.code}").json()
    assert body["possible_repeat"] is False and cast.county_b.name not in str(body) and earlier.code not in str(body)
    with pytest.raises(ValidationError):
        intake.case_link_repeat(actor=actor_for(cast.officer_a), case=repeat)
    assert client.post(f"/api/v1/casework/{repeat.code}/link-repeat").status_code in (400, 422)


def test_filed_to_the_city_an_earlier_case_in_its_county_is_flagged_and_the_city_links(cast, clock, login):
    earlier = log_case(cast.officer_b)  # county B, in the city's subtree
    repeat = file_online(cast.city)
    assert repeat.repeat_of == earlier and repeat.is_possible_repeat
    page = login(cast.city_staff).get(reverse("casework:detail", args=[repeat.code])).content.decode()
    assert 'id="case-repeat"' in page and earlier.code in page
    intake.case_link_repeat(actor=actor_for(cast.city_staff), case=repeat)
    assert Case.objects.get(pk=repeat.pk).linked_at is not None


def test_bad_input_a_case_that_is_no_repeat_or_already_linked(cast, clock, login):
    earlier = log_case(cast.officer_a)
    actor = actor_for(cast.officer_a)
    with pytest.raises(ValidationError, match=r"重复|repeat"):
        intake.case_link_repeat(actor=actor, case=earlier)
    repeat = file_online(cast.county_a)
    intake.case_link_repeat(actor=actor, case=repeat)
    with pytest.raises(ValidationError):
        intake.case_link_repeat(actor=actor, case=repeat)
    r = login(cast.officer_a).post(reverse("casework:case_link_repeat", args=[earlier.code]), follow=True)
    assert r.status_code == 200 and "alert-danger" in r.content.decode()
    assert selectors.case_get(actor=actor, code=earlier.code).state != State.CLOSED
