"""Shared set-up of the democracy tests: polls of county A."""

import datetime

from django.utils import timezone

from gonghui.core.access import actor_for

from . import polls
from .criteria import ensure_builtin
from .models import CriteriaSet, Electorate, PollKind


def five_questions() -> CriteriaSet:
    ensure_builtin()
    return CriteriaSet.objects.get(name="党员民主评议五个方面")


def home_set() -> CriteriaSet:
    ensure_builtin()
    return CriteriaSet.objects.get(name="会员评议职工之家")


def make_poll(cast, *, electorate=Electorate.ON_SITE, size=6, criteria_set=None,
              subjects=("王明，工会主席", "李华，副主席"), org=None, user=None, **extra):
    now = timezone.now()
    return polls.poll_create(
        actor=actor_for(user or cast.officer_a), org=org or cast.county_a, kind=extra.pop("kind", PollKind.ASSESSMENT),
        title=extra.pop("title", "2026年度领导干部民主测评"), criteria_set=criteria_set or five_questions(),
        subjects=list(subjects), electorate=electorate, electorate_size=size if electorate == Electorate.ON_SITE else 0,
        opens_at=extra.pop("opens_at", now - datetime.timedelta(minutes=5)),
        closes_at=extra.pop("closes_at", now + datetime.timedelta(days=2)), **extra)


def all_answers(poll, grade_of) -> dict:
    """Answers for every cell: ``grade_of(position, criterion_index)`` gives the grade's text."""
    return {(s.position, ci): grade_of(s.position, ci) for s in polls.subjects_of(poll)
            for ci in range(len(poll.criteria))}
