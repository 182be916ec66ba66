"""The demo's polls, seeded over the test cast: a published assessment with its tally, an open 职工之家 poll whose
codes went out by text message (sealed in the notification file, masked in the log), a poll being prepared."""

import random

import pytest

from gonghui.core.models import Role
from gonghui.demo.democracy import seed_democracy
from gonghui.members.tests.factories import add_member
from gonghui.portal.models import Publication
from gonghui.testing import _user

from .. import polls
from ..models import Ballot, Poll, PollState

pytestmark = pytest.mark.django_db


def test_seed_democracy(cast, settings, tmp_path):
    settings.GONGHUI_NOTIFY_BACKEND = ["gonghui.core.notify.FileBackend"]
    settings.GONGHUI_NOTIFY_DIR = str(tmp_path)
    _user("donghu", "区总干部", Role.FEDERATION_STAFF, cast.county_a)
    _user("union", "厂工会主席", Role.UNION_OFFICER, cast.grassroots_a)
    for i in range(12):
        add_member(cast.grassroots_officer, cast.grassroots_a, name=f"职工{i:02d}", phone=f"1390000{i:04d}")
    counts = seed_democracy(rng=random.Random(7))
    assert counts["polls"] == 3 and counts["codes_sent"] == 12
    published = Poll.objects.get(state=PollState.PUBLISHED)
    assert published.result["ballots"] == 41 and published.result["valid"]
    assert polls.verify(published).ok
    assert Publication.objects.filter(kind="democracy.tally", object_id=published.pk).exists()
    home = Poll.objects.get(kind="home")
    assert home.state == PollState.OPEN and 0 < Ballot.objects.filter(poll=home).count() < 12
    assert Poll.objects.filter(state=PollState.DRAFT).count() == 1


def test_seed_surveys(cast):
    from django.utils import timezone

    from gonghui.core.figures import Period
    from gonghui.core.figures import get as figure
    from gonghui.demo.democracy import seed_surveys
    from gonghui.democracy import surveys
    from gonghui.democracy.models import Survey, SurveyResponse, SurveyState

    _user("donghu", "区总干部", Role.FEDERATION_STAFF, cast.county_a)
    _user("union", "厂工会主席", Role.UNION_OFFICER, cast.grassroots_a)
    for i in range(12):
        add_member(cast.grassroots_officer, cast.grassroots_a, name=f"职工{i:02d}", phone=f"1390000{i:04d}")
    counts = seed_surveys(rng=random.Random(7))
    open_survey = Survey.objects.get(state=SurveyState.OPEN)
    assert open_survey.anonymous and "职工满意度微调查" in open_survey.title
    assert 55 <= open_survey.responses == counts["survey_responses_open"] <= 65
    assert len({r.submitted_on for r in SurveyResponse.objects.filter(survey=open_survey)}) >= 4  # over the days
    r = surveys.results(open_survey)
    assert sum(o["count"] for o in r["questions"][0]["options"]) == open_survey.responses
    closed = Survey.objects.get(state=SurveyState.CLOSED)
    assert not closed.anonymous and 0 < closed.responses == counts["survey_responses_closed"] <= 12
    assert not SurveyResponse.objects.filter(survey=closed, person__isnull=True).exists()
    today = timezone.localdate()
    days = Period.parse(f"{today - timezone.timedelta(days=40):%Y-%m-%d}~{today:%Y-%m-%d}")
    assert figure("democracy.questionnaires").compute(cast.county_a, days) == open_survey.responses + closed.responses


def test_seed_congress(cast):
    from django.utils import timezone

    from gonghui.core.figures import Period
    from gonghui.core.figures import get as figure
    from gonghui.core.supervision.models import SupervisionItem
    from gonghui.demo.democracy import seed_congress
    from gonghui.democracy import congress as services
    from gonghui.democracy.models import Congress, Disclosure, Proposal, Session
    from gonghui.orgs.models import Org

    _user("donghu", "区总干部", Role.FEDERATION_STAFF, cast.county_a)
    _user("union", "厂工会主席", Role.UNION_OFFICER, cast.grassroots_a)
    Org.objects.add_child(cast.township_a, instance=Org(code="GS", name="城关中学工会", level="grassroots",
                                                        kind="school"))
    counts = seed_congress(rng=random.Random(7), today=timezone.localdate())
    assert counts == {"delegates": 40, "proposals": 10, "warned": 1, "escalations": 1}
    workers = Congress.objects.get(org=cast.grassroots_a)
    c = services.composition(workers)
    assert c["managers"] == 6 and not c["warning"] and c["women"] > 5 and c["front_line"] > 15
    assert services.composition(Congress.objects.get(org__code="GS"))["warning"]
    assert Session.objects.filter(congress=workers).count() == 2
    states = set(Proposal.objects.filter(congress=workers).values_list("state", flat=True))
    assert states == {"submitted", "accepted", "declined", "converted", "assigned", "answered", "rated"}
    colors = set(Proposal.objects.filter(state="assigned").values_list("color", flat=True))
    assert {"red", "blue"} <= colors
    assert Proposal.objects.filter(reopened=True).exists()
    assert SupervisionItem.objects.filter(kind="proposal", told_org=cast.township_a, resolved_at__isnull=True).exists()
    assert Disclosure.objects.filter(org=cast.grassroots_a).count() == 3
    today = timezone.localdate()
    year = Period.parse(f"{today - timezone.timedelta(days=364):%Y-%m-%d}~{today:%Y-%m-%d}")
    assert figure("democracy.congress_sessions").compute(cast.county_a, year) == 1
    # received 10; accepted 7 (two rated, one reopened, one answered, two assigned, one to assign); one turned into
    # an opinion, one declined; answered 3 (the reopened one's reply went back to the department)
    assert [n for _label, n in figure("democracy.proposals").compute(cast.county_a, year)] == [10, 7, 1, 1, 3]
