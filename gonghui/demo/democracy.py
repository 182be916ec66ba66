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

# --- workers' congresses (职代会) and proposals (提案) ---------------------------------------------------------------

UNITS = ["一车间", "二车间", "三车间", "技术中心", "质检部", "机关"]
PROPOSALS = [  # title, reason, suggestion, department
    ("关于改善一车间夏季防暑降温条件的提案", "一车间夏季室温超过35℃，现有排风设备老化，职工中暑隐患大。",
     "更换排风扇，增设冷风机，高温时段调整作业时间。", "设备动力部"),
    ("关于提高夜班餐费补贴标准的提案", "夜班餐费补贴多年未调整，已不能满足一线职工需要。",
     "将夜班餐补由每班10元提高到15元。", "人力资源部"),
    ("关于增设职工子女暑期托管班的提案", "双职工家庭暑期子女无人照看，影响安心工作。",
     "利用职工之家场地开设暑期托管班。", "工会办公室"),
    ("关于完善技能等级认定与薪酬挂钩的提案", "技能等级提升后薪酬未及时调整，影响职工学技术的积极性。",
     "建立技能等级与岗位工资联动机制。", "人力资源部"),
    ("关于厂区道路照明改造的提案", "厂区北侧道路照明不足，夜班职工上下班存在安全隐患。",
     "增设路灯并定期检修。", "行政后勤部"),
    ("关于开展职工心理健康服务的提案", "生产任务重，部分职工反映压力较大。",
     "引入心理咨询服务，定期开展讲座。", "工会办公室"),
    ("关于食堂延长供餐时间的提案", "中班下班后食堂已停止供餐。", "食堂晚餐延长至20:30。", "行政后勤部"),
    ("关于更新劳动防护用品的提案", "部分岗位防护手套、口罩更换周期过长。",
     "按岗位风险制定防护用品发放标准。", "安全环保部"),
    ("关于为个别职工调整岗位的提案", "某职工因家庭原因要求调岗。", "请人力资源部协调。", ""),
    ("关于组织职工春季踏青活动的建议", "职工文体活动较少。", "春季组织踏青。", ""),
]


def _delegate_sheet(rng, n: int, managers: int, units: list[str]) -> bytes:
    """A roster of ``n`` delegates as the union would upload it: name, election unit, flags (是/否)."""
    from gonghui.core.spreadsheets import write_xlsx
    from gonghui.demo import data

    rows, seen = [], set()
    while len(rows) < n:
        woman = rng.random() < 0.38
        name = rng.choice(data.SURNAMES) + rng.choice(data.GIVEN_FEMALE if woman else data.GIVEN_MALE)
        unit = units[len(rows) % len(units)] if len(rows) >= managers else units[-1]
        if (unit, name) in seen:
            continue
        seen.add((unit, name))
        manager = len(rows) < managers
        front = not manager and unit not in ("机关", "技术中心", "教务处") and rng.random() < 0.85
        rows.append([name, unit, "", "是" if front else "否", "是" if woman else "否", "是" if manager else "否"])
    return write_xlsx(["姓名", "选举单位", "身份证号", "一线职工", "女职工", "管理人员"], rows)


def seed_congress(*, rng, today: datetime.date, county: str = "donghu", union: str = "union") -> dict:
    """The grassroots union's 第三届职工代表大会: 40 delegates imported from a roster (managers 15%), two sessions
    with their agenda and votes, proposals at every stage (submitted, accepted, declined, turned into an opinion,
    assigned on time, overdue, answered, rated, reopened), and 厂务公开 records; a school's 教代会 elsewhere in the
    county whose managers pass 20% of its delegates (the warning case). The proposals' sweep then colors them and
    raises the overdue one to the township's supervision list."""
    from gonghui.core.workdays import add_workdays
    from gonghui.democracy import congress as services
    from gonghui.democracy import import_delegates, proposals
    from gonghui.democracy.models import CongressKind, Delegate, DisclosureChannel, DisclosureKind, Rating
    from gonghui.orgs.models import Org

    officer, grassroots = _actor(county), _actor(union)
    org = grassroots.org
    start = datetime.date(today.year - 2, 3, 1)
    congress = services.congress_create(actor=grassroots, org=org, kind=CongressKind.WORKERS, term=3,
                                        term_start=start, term_end=datetime.date(start.year + 5, 2, 28))
    import_delegates.delegate_import(actor=grassroots, congress=congress, filename="第三届职工代表名单.xlsx",
                                     data=_delegate_sheet(rng, 40, 6, UNITS))
    first = services.session_create(actor=grassroots, congress=congress, held_on=start + datetime.timedelta(days=20),
                                    present=37, place="职工活动中心")
    for title, kind, votes in (("厂长工作报告", "report", None), ("职工代表大会实施细则", "rules", (35, 1, 1)),
                               ("提案工作委员会组成人员名单", "election", (36, 0, 1))):
        services.agenda_item_add(actor=grassroots, session=first, title=title, kind=kind, votes=votes)
    held = max(start + datetime.timedelta(days=40), today - datetime.timedelta(days=75))
    second = services.session_create(actor=grassroots, congress=congress, held_on=held, present=38,
                                     place="职工活动中心")
    agenda = (("厂长工作报告", "report", (36, 0, 2)),
              (f"{today.year}—{today.year + 2}年集体合同草案", "contract", (34, 2, 2)),
              ("职工福利费使用方案", "welfare", (33, 3, 2)),
              ("年度财务预决算报告", "finance", (19, 10, 9)))  # 19 of 40: not more than half, not adopted
    for title, kind, votes in agenda:
        services.agenda_item_add(actor=grassroots, session=second, title=title, kind=kind, votes=votes)

    delegates = list(Delegate.objects.filter(congress=congress).order_by("pk"))
    made = []
    for i, (title, reason, suggestion, _dept) in enumerate(PROPOSALS):
        proposer = delegates[(i * 7 + 3) % len(delegates)]
        others = [d for d in delegates if d.pk != proposer.pk]
        made.append(proposals.proposal_submit(actor=grassroots, congress=congress, proposer=proposer,
                                              cosigners=rng.sample(others, 2 + i % 3), title=title, reason=reason,
                                              suggestion=suggestion, submitted_on=held))

    def workday(n):
        d = add_workdays(today, n)
        return max(datetime.date(d.year, d.month, d.day), held)

    def accept_assign(p, dept, assigned):
        p = proposals.proposal_accept(actor=grassroots, proposal=p, on=held + datetime.timedelta(days=3))
        return proposals.proposal_assign(actor=grassroots, proposal=p, department=dept, on=assigned,
                                         handler=rng.choice(["刘建国", "陈立新", "王海燕", "赵明"]))

    depts = [p[3] for p in PROPOSALS]
    # Rated satisfied, rated basically satisfied: answered in time.
    for i, rating in ((0, Rating.SATISFIED), (1, Rating.BASIC)):
        p = accept_assign(made[i], depts[i], workday(-40))
        p = proposals.proposal_answer(actor=grassroots, proposal=p, on=workday(-30),
                                      reply=f"已按提案建议落实：{PROPOSALS[i][2]}")
        proposals.proposal_rate(actor=grassroots, proposal=p, rating=rating, on=workday(-25))
    # Not satisfied, reopened: with the department again, due soon.
    p = accept_assign(made[2], depts[2], workday(-38))
    p = proposals.proposal_answer(actor=grassroots, proposal=p, on=workday(-30),
                                  reply="场地紧张，今年暂不具备开班条件。")
    p = proposals.proposal_rate(actor=grassroots, proposal=p, rating=Rating.UNSATISFIED, on=workday(-28),
                                note="希望与社区合作解决")
    proposals.proposal_reopen(actor=grassroots, proposal=p, on=workday(-13))
    # Answered, waiting for the proposer's rating.
    p = accept_assign(made[3], depts[3], workday(-20))
    proposals.proposal_answer(actor=grassroots, proposal=p, on=workday(-6),
                              reply="已制定技能等级津贴办法，下月起执行。")
    accept_assign(made[4], depts[4], workday(-3))  # assigned, on time
    accept_assign(made[5], depts[5], workday(-25))  # assigned, overdue: red once the sweep runs
    proposals.proposal_accept(actor=grassroots, proposal=made[6], on=workday(-1))  # accepted, to assign
    # made[7] stays submitted, waiting for the committee.
    proposals.proposal_decline(actor=grassroots, proposal=made[8], on=held + datetime.timedelta(days=3),
                               reason="属于个人调岗诉求，不属于提案范围，已转人力资源部按程序办理。")
    proposals.proposal_convert(actor=grassroots, proposal=made[9], on=held + datetime.timedelta(days=3),
                               note="转工会文体委员会作为意见建议研究。")

    for days, subject, summary, channel in (
            (70, "职工代表大会决议执行情况", "第二次会议各项决议的落实进度", DisclosureChannel.CONGRESS),
            (45, "上半年职工福利费使用情况", "福利费收支明细及主要用途", DisclosureChannel.BOARD),
            (20, "年度评先评优推荐结果", "推荐名单及评选程序", DisclosureChannel.INTRANET)):
        services.disclosure_create(actor=grassroots, org=org, kind=DisclosureKind.FACTORY,
                                   disclosed_on=today - datetime.timedelta(days=days), subject=subject,
                                   summary=summary, channel=channel, audience="全体职工")

    # The warning case: a school's 教代会 with 5 managers among its 16 delegates (31%).
    school = (Org.objects.filter(path__startswith=officer.org.path, level="grassroots", kind="school")
              .exclude(pk=org.pk).order_by("path").first()
              or Org.objects.filter(path__startswith=officer.org.path, level="grassroots")
              .exclude(pk=org.pk).order_by("path").first())
    warned = 0
    if school is not None:
        teachers = services.congress_create(actor=officer, org=school, kind=CongressKind.TEACHERS, term=2,
                                            term_start=datetime.date(today.year - 1, 9, 1),
                                            term_end=datetime.date(today.year + 2, 8, 31))
        import_delegates.delegate_import(actor=officer, congress=teachers, filename="教代会代表名单.xlsx",
                                         data=_delegate_sheet(rng, 16, 5, ["语文组", "数学组", "英语组", "教务处"]))
        services.disclosure_create(actor=officer, org=school, kind=DisclosureKind.SCHOOL,
                                   disclosed_on=today - datetime.timedelta(days=10), subject="学校年度经费预算",
                                   summary="年度经费预算及教职工福利安排", channel=DisclosureChannel.MEETING,
                                   audience="全体教职工")
        warned = int(bool(services.composition(teachers)["warning"]))
    swept = proposals.proposals_tick()
    return {"delegates": Delegate.objects.filter(congress=congress).count(), "proposals": len(made),
            "warned": warned, "escalations": swept["escalations"]}
