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
