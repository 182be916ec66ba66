"""The demo's field visits, inspections and tips, played through the services:

- a year of field visits by the county (``donghu``) — about two a month, each to two or three of its unions and now
  and then an enterprise not yet unionized (with a valid credit code) — with forums, interviews, questionnaires,
  problems found and solved on the spot (seed 000's counts); one problem found a quarter goes on the problem list;
- two inspection rounds by the city (``city``) over its counties, each issuing a 工作提示 to every county and a
  督导反馈单 to some, most answered, one left overdue (it rises to the city's supervision list on the next tick);
- tips to the county's mailbox (作风直通车), some answered, one put on the problem list.

``seed_visits(today=..., rng=...)`` returns counts.
"""

import datetime

from django.contrib.auth import get_user_model

from gonghui.core.access import actor_for
from gonghui.core.identity import USCC_CHARS, uscc_check_char
from gonghui.orgs.models import Org
from gonghui.oversight import inspections, tips, visits

SUBJECTS = ("“面对面、心贴心、实打实服务职工在基层”走访", "转变作风走基层，倾听民生解难题", "职工队伍状况访问",
            "困难职工帮扶走访", "企业发展促进走访", "基层工会作用发挥情况调研")
FINDINGS = ("职工食堂收费标准未公开", "职工之家活动室长期关闭", "劳动合同签订率偏低", "女职工休息室未建",
            "夜班津贴发放不及时", "工会会员信息更新滞后", "厂务公开栏内容陈旧")
SOLVED = ("现场答复职工关于带薪年休假的咨询", "现场协调解决夏季防暑降温用品发放", "当场帮助两名职工办理会员卡")
ENTERPRISES = ("新华科技有限公司", "东湖物流有限公司", "临江食品有限公司", "宏达建材有限公司")
TIPS = (("工作日午间饮酒", "某单位干部工作日中午在饭店饮酒。"),
        ("慰问品发放不公开", "节日慰问品发放名单没有公示。"),
        ("办事推诿", "到窗口办理会员关系接转，被要求跑了三次。"),
        ("会议过多过长", "基层工会一周开三次会，材料层层报。"))


def _actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


def _uscc(rng) -> str:
    body = "91" + "330102" + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    return body + uscc_check_char(body)


def seed_visits(*, today: datetime.date, rng, city: str = "city", county: str = "donghu") -> dict:
    """The demo city's visits, inspections and tips (see the module's docstring)."""
    city_actor, county_actor = _actor(city), _actor(county)
    county_org = county_actor.org
    unions = list(Org.objects.filter(path__startswith=county_org.path, level="grassroots").order_by("path")[:12])
    counts = {"visits": 0, "findings_on_list": 0, "rounds": 0, "items": 0, "answered": 0, "tips": 0}
    start = today - datetime.timedelta(days=365)
    for i in range(24):
        on = start + datetime.timedelta(days=15 * i + rng.randint(0, 5))
        if on > today:
            break
        lines = [u.code for u in rng.sample(unions, k=min(len(unions), rng.randint(2, 3)))] if unions else []
        if i % 4 == 0 or not lines:
            lines.append(f"{rng.choice(ENTERPRISES)} {_uscc(rng)}")
        forums = rng.randint(0, 2)
        solved = rng.randint(0, 2)
        visit = visits.visit_create(
            county_actor, title=rng.choice(SUBJECTS), started_on=on, ended_on=on + datetime.timedelta(days=1),
            leader=county_actor.user, team=[county_actor.user], units="\n".join(dict.fromkeys(lines)),
            forums=forums, forum_people=forums * rng.randint(8, 20), interviews=rng.randint(0, 6),
            questionnaires=rng.choice((0, 30, 50, 80)), solved=solved,
            solved_text="；".join(rng.sample(SOLVED, k=solved)), findings=rng.sample(FINDINGS, k=rng.randint(0, 2)))
        counts["visits"] += 1
        finding = visit.findings.first()
        if i % 6 == 0 and finding is not None:
            unit = visit.units.filter(unit__isnull=False).first()
            visits.finding_to_problem(county_actor, finding=finding, org=unit.unit if unit else county_org)
            counts["findings_on_list"] += 1
    counties = list(Org.objects.filter(path__startswith=city_actor.org.path, depth=city_actor.org.depth + 1)
                    .order_by("path")[:8])
    for n, months_ago in ((1, 7), (2, 2)):
        on = today - datetime.timedelta(days=30 * months_ago)
        rnd = inspections.round_create(
            city_actor, title=f"{on.year}年第{n}轮作风建设督导", started_on=on,
            ended_on=on + datetime.timedelta(days=10), leader=city_actor.user, units=counties,
            methods="下沉指导、列席会议、调阅资料、随机访谈职工")
        counts["rounds"] += 1
        for j, unit in enumerate(counties):
            for kind in ("prompt", "feedback") if j % 2 == 0 else ("prompt",):
                item = inspections.item_issue(
                    city_actor, round=rnd, kind=kind, unit=unit, issued_on=on,
                    title="查摆问题是否全、深、准、实" if kind == "prompt" else "整改措施落实情况反馈",
                    content="请对照督导反馈的问题逐项整改，按期报送整改情况。", due_on=on + datetime.timedelta(days=20))
                counts["items"] += 1
                # The last round's first feedback stays unanswered: it is overdue and rises on the next tick.
                if not (n == 2 and kind == "feedback" and j == 0):
                    inspections.item_answer(city_actor, item=item, answer="已对照问题逐项整改，整改情况报告已报送。")
                    counts["answered"] += 1
    for k, (subject, body) in enumerate(TIPS):
        tip, _check = tips.tip_submit(org=county_org, subject=subject, body=body)
        counts["tips"] += 1
        if k < 3:
            tips.tip_answer(county_actor, tip=tip, answer="经核查，已责成相关单位整改并通报。")
        if k == 0:
            tips.tip_to_problem(county_actor, tip=tip)
            counts["findings_on_list"] += 1
    return counts
