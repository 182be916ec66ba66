"""The demo's evaluation polls, played through the services:

- 东湖区总工会 (``donghu``): a 民主测评 of its leading cadres and team on 德能勤绩廉, 45 voters on site with printed
  codes, 41 ballots; closed, counted, published to the voters and on the public board;
- the grassroots union of ``union``: an open 会员评议职工之家 whose codes went to its members by text message (the
  demo's notification file holds them sealed), about two thirds of whom have voted so far; and a 民主评议 still
  being prepared, waiting for its sheet of codes to be printed.

``seed_democracy(rng=...)`` returns counts.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from gonghui.core.access import actor_for
from gonghui.democracy import polls
from gonghui.democracy.criteria import ensure_builtin
from gonghui.democracy.models import GRADES, CriteriaSet, Electorate, Poll, PollKind, Scale


def _actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


def _ballot(poll, rng, lean: dict[int, float]) -> dict:
    """Answers leaning to the better grades; ``lean`` lowers a subject's chance of the top grade."""
    grades = GRADES[poll.scale]
    out = {}
    for s in polls.subjects_of(poll):
        top = lean.get(s.position, 0.72)
        for ci in range(len(poll.criteria)):
            x = rng.random()
            i = 0 if x < top else 1 if x < top + 0.22 else 2 if x < 0.985 or len(grades) < 4 else 3
            out[(s.position, ci)] = grades[min(i, len(grades) - 1)]
    return out


def seed_democracy(*, rng, county: str = "donghu", union: str = "union") -> dict:
    officer, grassroots = _actor(county), _actor(union)
    ensure_builtin()
    now = timezone.now()
    year = timezone.localdate().year
    assessment = polls.poll_create(
        actor=officer, org=officer.org, kind=PollKind.ASSESSMENT, title=f"{year}年度区总工会领导班子和领导干部民主测评",
        criteria_set=CriteriaSet.objects.get(name="干部民主测评（德能勤绩廉）"),
        subjects=["周建国，区总工会主席", "吴红梅，常务副主席", "郑海涛，副主席", "孙晓燕，经审委员会主任",
                  "区总工会领导班子"],
        electorate=Electorate.ON_SITE, electorate_size=45, opens_at=now - datetime.timedelta(hours=2),
        closes_at=now + datetime.timedelta(days=1), allow_comment=True)
    codes = polls.codes_print(actor=officer, poll=assessment, count=45)
    for code in codes[:41]:
        polls.vote_cast(code=code, answers=_ballot(assessment, rng, {3: 0.45}),
                        comment=rng.choice(["", "", "", "希望多下基层调研", "建议加强经费公开"]))
    assessment = polls.poll_close(actor=officer, poll=assessment)
    polls.poll_publish(actor=officer, poll=assessment, board=True, days=30)

    home = polls.poll_create(
        actor=grassroots, org=grassroots.org, kind=PollKind.HOME, title=f"{year}年会员评议职工之家",
        criteria_set=CriteriaSet.objects.get(name="会员评议职工之家", scale=Scale.SATISFACTION),
        subjects=[grassroots.org.name], electorate=Electorate.MEMBERS, electorate_org=grassroots.org,
        opens_at=now - datetime.timedelta(days=1), closes_at=now + datetime.timedelta(days=6))
    sent = _send_and_vote(grassroots, home, rng)

    polls.poll_create(
        actor=grassroots, org=grassroots.org, kind=PollKind.APPRAISAL, title=f"{year}年工会委员民主评议",
        criteria_set=CriteriaSet.objects.get(name="党员民主评议五个方面"),
        subjects=["工会主席", "工会副主席", "经审委员"], electorate=Electorate.ON_SITE, electorate_size=30,
        opens_at=now + datetime.timedelta(days=2), closes_at=now + datetime.timedelta(days=3))
    return {"polls": Poll.objects.count(), "ballots_assessment": 41, "codes_sent": sent}


def _send_and_vote(actor, poll, rng) -> int:
    """Send the codes, catching them on their way out (the demo has no SMS gateway), and let about two thirds of
    the members vote."""
    from gonghui.core import notify

    caught: list[str] = []
    real = notify.send_on_commit

    def catch(*, to_phone, template, context):
        caught.append(context["vote_code"])
        real(to_phone=to_phone, template=template, context=context)

    notify.send_on_commit = catch
    try:
        sent = polls.codes_send(actor=actor, poll=poll)
    finally:
        notify.send_on_commit = real
    for code in caught:
        if rng.random() < 0.66:
            polls.vote_cast(code=code, answers=_ballot(poll, rng, {1: 0.8}))
    return sent.sent
