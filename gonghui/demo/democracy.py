"""The demo's evaluation polls, played through the services:

- 东湖区总工会 (``donghu``): a 民主测评 of its leading cadres and team on 德能勤绩廉, 45 voters on site with printed
  codes, 41 ballots; closed, counted, published to the voters and on the public board;
- the grassroots union of ``union``: an open 会员评议职工之家 whose codes went to its members by text message (the
  demo's notification file holds them sealed), about two thirds of whom have voted so far; and a 民主评议 still
  being prepared, waiting for its sheet of codes to be printed;
- surveys (微调查): the county's open, anonymous 职工满意度微调查 with about sixty responses over the days it has been
  open, and the grassroots union's closed, identified 职工食堂就餐情况调查 answered by its members.

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
    counts = {"polls": Poll.objects.count(), "ballots_assessment": 41, "codes_sent": sent}
    return {**counts, **seed_surveys(rng=rng, county=county, union=union)}


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


# --- surveys (微调查) -----------------------------------------------------------------------------------------------

SATISFACTION = [
    {"kind": "single", "text": "您对本单位工会工作总体是否满意", "options": ["满意", "基本满意", "不满意"]},
    {"kind": "multiple", "text": "您最希望工会提供哪些服务（最多选三项）", "max_choices": 3,
     "options": ["技能培训", "法律援助", "文体活动", "困难帮扶", "健康体检", "子女托管"]},
    {"kind": "scale", "text": "您给职工之家建设打几分", "scale_min": 1, "scale_max": 5,
     "options": ["很不满意", "很满意"]},
    {"kind": "single", "text": "您参加过工会组织的活动吗", "options": ["经常参加", "偶尔参加", "从未参加"]},
    {"kind": "text", "text": "您对工会工作还有哪些意见和建议", "required": False, "max_length": 300},
]
CANTEEN = [
    {"kind": "single", "text": "您每周在职工食堂就餐几次", "options": ["5次以上", "3至5次", "1至2次", "不在食堂就餐"]},
    {"kind": "scale", "text": "饭菜质量评分", "scale_min": 1, "scale_max": 5, "options": ["很差", "很好"]},
    {"kind": "multiple", "text": "您希望食堂改进哪些方面",
     "options": ["菜品种类", "价格", "卫生", "排队时间", "夜班供餐"]},
    {"kind": "text", "text": "其他建议", "required": False, "max_length": 200},
]
COMMENTS = ["", "", "", "希望多组织技能培训和岗位练兵", "夜班职工的文体活动时间能不能调整一下",
            "职工书屋的书可以更新一些", "希望工会帮助解决子女暑期托管", "建议增加健康讲座",
            "有事想咨询，我的电话13900001234", "工会工作很好，谢谢"]


def _pick(rng, weights: list[float]) -> int:
    x, acc = rng.random(), 0.0
    for i, w in enumerate(weights):
        acc += w
        if x < acc:
            return i
    return len(weights) - 1


def _survey(actor, title, intro, questions, *, anonymous, opens_at, closes_at, limit=0):
    from gonghui.democracy import surveys

    s = surveys.survey_create(actor=actor, org=actor.org, title=title, intro=intro, anonymous=anonymous,
                              opens_at=opens_at, closes_at=closes_at, response_limit=limit)
    for q in questions:
        surveys.question_add(actor=actor, survey=s, **q)
    return surveys.survey_open(actor=actor, survey=s), surveys.questions_of(s)


def seed_surveys(*, rng, county: str = "donghu", union: str = "union") -> dict:
    """The county's open, anonymous satisfaction survey with about sixty responses spread over the five days it has
    been open, and the union's identified canteen survey, answered by its members and closed."""
    from gonghui.democracy import surveys
    from gonghui.members.models import Membership

    officer, grassroots = _actor(county), _actor(union)
    now = timezone.now()
    year = timezone.localdate().year
    open_survey, qs = _survey(
        officer, f"{year}年职工满意度微调查", "为了解职工对工会工作的评价和需求，请您抽几分钟匿名填写。", SATISFACTION,
        anonymous=True, opens_at=now - datetime.timedelta(days=5), closes_at=now + datetime.timedelta(days=10),
        limit=500)
    n_open = 58 + rng.randrange(5)
    for i in range(n_open):
        at = now - datetime.timedelta(days=5) + datetime.timedelta(minutes=int((i + rng.random()) * 5 * 1440 / n_open))
        answers = {qs[0].pk: [str(_pick(rng, [0.62, 0.3, 0.08]))],
                   qs[1].pk: [str(j) for j in sorted(rng.sample(range(6), 1 + rng.randrange(3)))],
                   qs[2].pk: [str(1 + _pick(rng, [0.03, 0.07, 0.2, 0.4, 0.3]))],
                   qs[3].pk: [str(_pick(rng, [0.35, 0.5, 0.15]))]}
        comment = rng.choice(COMMENTS)
        if comment:
            answers[qs[4].pk] = [comment]
        surveys.response_submit(survey=open_survey, answers=answers, now=min(at, now))

    closed, cq = _survey(
        grassroots, f"{year}年职工食堂就餐情况调查", "实名调查，便于工会跟进您反映的问题。", CANTEEN, anonymous=False,
        opens_at=now - datetime.timedelta(days=30), closes_at=now + datetime.timedelta(days=1))
    members = list(Membership.objects.filter(org_path__startswith=grassroots.org.path, status="active")
                   .select_related("person").order_by("pk")[:40])
    answered = 0
    for i, m in enumerate(members):
        if rng.random() > 0.7:
            continue
        answers = {cq[0].pk: [str(_pick(rng, [0.45, 0.3, 0.15, 0.1]))],
                   cq[1].pk: [str(1 + _pick(rng, [0.05, 0.15, 0.35, 0.3, 0.15]))],
                   cq[2].pk: [str(j) for j in sorted(rng.sample(range(5), 1 + rng.randrange(2)))]}
        if rng.random() < 0.3:
            answers[cq[3].pk] = [rng.choice(["希望增加夜班供餐", "菜价可以再便宜一点", "排队时间太长"])]
        at = now - datetime.timedelta(days=29) + datetime.timedelta(hours=6 * i + rng.randrange(6))
        surveys.response_submit(survey=closed, answers=answers, person=m.person, now=min(at, now))
        answered += 1
    surveys.survey_close(actor=grassroots, survey=closed)
    return {"surveys": 2, "survey_responses_open": n_open, "survey_responses_closed": answered}
