"""The demo's problem list (问题清单), played through the services after the funds are seeded:

- departments (办公室, 组织部, 权益保障部, 经审办) of the city and of the county the demo's ``donghu`` user works in;
- a problem from each source of the list, in the county's unions, at every stage: drafts, some waiting for the
  unit's first review, some returned for rework (with the reviewer's opinion), some with the joint review group
  part way, and about half final (定稿, with the meeting that approved them) so the ledger can add their measures;
- a confirmed fund alert and the open findings of an annual audit put on the list, linked back (when the funds
  demo left any);
- one problem concerning a named cadre (the name encrypted, shown masked).

``seed_problems(today=..., rng=...)`` returns counts; ``final_problems()`` the final ones, for the ledger's seed.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from gonghui.core.access import actor_for
from gonghui.orgs.models import Org
from gonghui.oversight import problems
from gonghui.oversight.models import Decision, Department, Problem, Source, Stage

DEPARTMENTS = ("办公室", "组织部", "权益保障部", "经审办")
# (source key, category key, problem, description): one a source, in the words of the seeds.
PROBLEMS = [
    ("discipline", "dining", "接待用餐超标准", "纪检监察意见指出：接待来访单位用餐人均超过规定标准。"),
    ("internal_audit", "funds_use", "经费支出审批手续不全", "内部审计发现部分支出无审批签字。"),
    ("finance_check", "funds_use", "会议费列支培训费", "财务检查发现会议费与培训费混列。"),
    ("petition", "inaction", "职工反映诉求答复不及时", "信访反映：职工诉求超过时限未答复。"),
    ("field_research", "formalism", "基层台账重复填报", "蹲点调研发现基层工会同一数据多头填报。"),
    ("complaint", "conduct", "服务窗口态度生硬", "服务对象投诉窗口人员态度生硬、推诿。"),
    ("funds_audit", "funds_use", "固定资产未定期盘点", "经费审查报告指出固定资产账实不符。"),
    ("inspection", "formalism", "文件传达层层照转", "专项检查访谈反映：文件只转发不落实。"),
    ("suggestion", "inaction", "职工之家活动室长期关闭", "意见建议：活动室开放时间短。"),
    ("assigned", "conduct", "会员实名制数据更新滞后", "上级点题：会员信息更新不及时。"),
    ("self_check", "formalism", "调研报告质量不高", "自查发现部分调研报告照搬材料。"),
    ("monitoring", "gifts", "节日慰问发放购物卡", "智能监控预警：慰问支出摘要含购物卡。"),
    ("tip", "conduct", "工作日午间饮酒", "作风直通车线索反映：个别干部工作日午间饮酒。"),
]
# The stage each problem is left at, in turn (final about half the time).
STAGES = ("final", "final", "joint", "returned", "final", "first", "draft", "final", "joint_part", "final")
MEETING = "%s年第%s次党组会"


def _actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


def _departments(org) -> list[Department]:
    out = []
    for i, name in enumerate(DEPARTMENTS, start=1):
        dep, _ = Department.objects.get_or_create(org=org, name=name, defaults={"org_path": org.path,
                                                                                "order": i * 10})
        out.append(dep)
    return out


def _play(p: Problem, stage: str, *, unit, city, group, today: datetime.date, n: int) -> Problem:
    """Take a draft to ``stage`` through the services."""
    if stage == "draft":
        return p
    problems.problem_submit(unit, problem=p)
    if stage == "first":
        return p
    if stage == "returned":
        problems.problem_first_review(unit, problem=p, decision=Decision.RETURN,
                                      opinion="问题表述笼统，请补充具体事实和时间。")
        return p
    problems.problem_first_review(unit, problem=p, decision=Decision.PASS, opinion="情况属实，同意报送。")
    problems.problem_group_set(city, problem=p, members=[(actor.user, dep) for actor, dep in group])
    if stage == "joint":
        return p
    first = group[0][0]
    problems.problem_joint_review(first, problem=p, decision=Decision.PASS, opinion="同意。")
    if stage == "joint_part":
        return p
    if n % 4 == 0:  # one in four final problems came back once from the joint review before passing
        problems.problem_joint_review(group[1][0], problem=p, decision=Decision.RETURN,
                                      opinion="整改方向不明确，请细化问题表现。")
        problems.problem_submit(unit, problem=p)
        problems.problem_first_review(unit, problem=p, decision=Decision.PASS, opinion="已补充，同意报送。")
        problems.problem_joint_review(first, problem=p, decision=Decision.PASS, opinion="同意。")
    problems.problem_joint_review(group[1][0], problem=p, decision=Decision.PASS, opinion="同意。")
    meeting_on = today - datetime.timedelta(days=7 + n)
    problems.problem_finalize(city, problem=p, meeting_name=MEETING % (meeting_on.year, 1 + n % 6),
                              meeting_on=meeting_on)
    return p


def seed_problems(*, today: datetime.date, rng, city: str = "city", county: str = "donghu",
                  unit: str = "union") -> dict:
    """The demo city's problem list (see the module's docstring). ``city``, ``county`` and ``unit`` name the demo's
    users: the city's and a county's federation staff, and a grassroots union's officer."""
    city_actor, county_actor = _actor(city), _actor(county)
    unit_user = get_user_model().objects.filter(username=unit).first()
    unit_actor = actor_for(unit_user) if unit_user is not None else None
    county_org = county_actor.org
    _departments(city_actor.org)
    county_deps = _departments(county_org)
    city_deps = Department.objects.filter(org=city_actor.org).order_by("order")
    group = [(county_actor, county_deps[0]), (city_actor, city_deps[1])]
    unions = list(Org.objects.filter(path__startswith=county_org.path, level="grassroots", status="active")
                  .order_by("path")[:40])
    made = []
    for n, (source, category, title, description) in enumerate(PROBLEMS):
        stage = STAGES[n % len(STAGES)]
        if n == 0 and unit_actor is not None:
            org, actor = unit_actor.org, unit_actor
        else:
            org, actor = (rng.choice(unions), county_actor) if unions else (county_org, county_actor)
        extra = {"concerns": "cadre", "cadre_name": "刘建华"} if source == "tip" else (
            {"concerns": "leadership"} if source == "discipline" else {})
        p = problems.problem_create(actor, org=org, source_key=source, category_key=category, title=title,
                                    description=description, **extra)
        made.append(_play(p, stage, unit=actor, city=city_actor, group=group, today=today, n=n))
    linked = _from_funds(city_actor, county_actor, group=group, today=today)
    final = Problem.objects.filter(stage=Stage.FINAL).count()
    return {"problems": len(made) + linked, "final": final, "linked": linked,
            "sources": Source.objects.filter(pk__in=Problem.objects.values("source")).count()}


def _from_funds(city_actor, county_actor, *, group, today) -> int:
    """A confirmed fund alert and an audit's open findings of the county, on the list and taken to the end."""
    from gonghui.funds import alerts, audits
    from gonghui.funds.models import Alert, AlertState, Audit, FindingState

    n = 0
    alert = (Alert.objects.filter(org_path__startswith=county_actor.org.path,
                                  state__in=(AlertState.OPEN, AlertState.EXPLAINED)).order_by("pk").first())
    if alert is not None:
        try:
            alerts.alert_confirm(actor=county_actor, alert=alert, reason="支出违反经费使用规定，确认为问题。")
            p = alerts.alert_file_problem(actor=county_actor, alert=alert)
            _play(p, "final", unit=county_actor, city=city_actor, group=group, today=today, n=1)
            n += 1
        except ValidationError:
            pass
    audit = (Audit.objects.filter(org_path__startswith=county_actor.org.path,
                                  findings__state__in=(FindingState.OPEN, FindingState.RECTIFYING))
             .order_by("pk").first())
    if audit is not None:
        for i, p in enumerate(audits.findings_to_problems(actor=county_actor, audit_=audit)):
            _play(p, "final" if i == 0 else "first", unit=county_actor, city=city_actor, group=group, today=today,
                  n=2 + i)
            n += 1
    return n


def final_problems() -> list[Problem]:
    """The demo's final problems (定稿), oldest first: the ledger's seed adds their measures."""
    return list(Problem.objects.filter(stage=Stage.FINAL).select_related("org").order_by("finalized_at", "pk"))
