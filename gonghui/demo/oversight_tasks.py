"""The demo's key tasks and targets, played through the services:

- the city federation's year list (年度重点工作任务清单): 重点工作 items, the 办实事 list of 15 items (some done,
  with their result) and 重点民生事项, each with a lead department, an owner, cooperating departments, dated
  milestones (the early ones done, one overdue here and there) and progress reports;
- the county's (``donghu``) own key tasks, a few;
- target management for four of the city's departments at different steps: one fully evaluated (成果评价), one
  reviewed (审查核定), one with its card issued and summary written, one only declared.

``seed_tasks(today=..., rng=...)`` returns counts. Departments are made (get_or_create) when the problems' seed has
not made them yet.
"""

import datetime

from django.contrib.auth import get_user_model

from gonghui.core.access import actor_for
from gonghui.oversight import keytasks, targets
from gonghui.oversight.models import Department, KeyTask, TargetPlan, TaskKind

DEPARTMENTS = ("办公室", "组织部", "权益保障部", "经审办")

KEY_WORK = [
    ("深化产业工人队伍建设改革", "推动产改各项任务落地，建立产改工作台账。"),
    ("新就业形态劳动者入会集中行动", "开展快递、外卖、网约车等重点群体入会攻坚。"),
    ("职工之家建设提质增效", "新建、改建一批规范化职工之家。"),
    ("工会经费收缴与使用监管", "推进经费收缴全覆盖，开展经费审查监督。"),
    ("劳模工匠人才创新工作室建设", "新命名市级劳模和工匠人才创新工作室。"),
    ("基层工会规范化建设", "开展基层工会换届和\u201c六有六好\u201d达标创建。"),
]
PRACTICAL = [
    "新建户外劳动者服务站点20个", "开展职工疗休养1000人次", "举办职工技能大赛10场", "帮扶困难职工500户",
    "开展\u201c金秋助学\u201d资助200人", "开展送清凉慰问一线职工", "开展职工免费健康体检", "建设爱心托管班10个",
    "举办单身职工联谊活动6场", "开展法律援助进企业", "建设母婴关爱室20个", "开展职工书屋建设",
    "开展\u201c两节\u201d送温暖活动", "开展职工心理健康服务", "开展农民工欠薪维权专项行动",
]
LIVELIHOOD = [
    ("职工医疗互助保障覆盖扩面", "扩大职工医疗互助保障参保人数。"),
    ("职工住房困难帮扶", "对住房困难职工给予帮扶。"),
    ("新就业形态劳动者权益保障", "推动平台企业开展集体协商。"),
]
TARGETS = {
    "组织部": [("发展会员", 40, "新发展会员3000人"), ("基层工会换届", 30, "按期换届率95%"),
             ("职工之家建设", 30, "新建职工之家10个")],
    "权益保障部": [("集体协商", 50, "建制率90%以上"), ("困难职工帮扶", 50, "帮扶500户")],
    "办公室": [("公文办理", 40, "按时办结率100%"), ("信息宣传", 30, "上报信息100篇"),
            ("督查督办", 30, "督办事项办结率95%")],
    "经审办": [("经费审查", 60, "审查覆盖率100%"), ("审计整改", 40, "整改到位率90%")],
}
# The step each department's card is left at.
STEPS = {"组织部": "evaluated", "权益保障部": "reviewed", "办公室": "summarised", "经审办": "declared"}


def _departments(org) -> dict[str, Department]:
    out = {}
    for i, name in enumerate(DEPARTMENTS, start=1):
        dep, _ = Department.objects.get_or_create(org=org, name=name, defaults={"org_path": org.path,
                                                                                "order": i * 10})
        out[name] = dep
    return out


def _date(year: int, month: int, day: int = 15) -> datetime.date:
    return datetime.date(year, month, day)


def _task(actor, org, deps, owner, *, kind, title, content, year, n, today, rng, done: bool) -> KeyTask:
    names = list(deps)
    lead = deps[names[n % len(names)]]
    coop = [deps[names[(n + 1) % len(names)]]]
    months = sorted(rng.sample(range(2, 12), 3))
    stones = [("制定方案", _date(year, months[0])), ("组织实施", _date(year, months[1])),
              ("总结验收", _date(year, months[2]))]
    if done:
        stones = [(t, min(d, today)) for t, d in stones]
    task = keytasks.task_create(actor, org=org, year=year, kind=kind, title=title, content=content, lead=lead,
                                owner=owner, cooperating=coop, milestones=stones)
    percent = 0
    for m in task.milestones.all():
        # Milestones done when their date has passed — except one in five left overdue (red on the lists).
        if m.due_on <= today and (done or rng.random() > 0.2):
            keytasks.milestone_done(actor, milestone=m, done_on=m.due_on)
            percent += 30
            keytasks.report_add(actor, task=task, text=f"{m.title}已完成。", percent=min(percent, 95), on=m.due_on)
    if done:
        keytasks.task_done(actor, task=task, done_on=today, result=f"{title}：已按计划完成，群众满意。")
    return task


def seed_tasks(*, today: datetime.date, rng, city: str = "city", county: str = "donghu") -> dict:
    users = get_user_model().objects
    city_actor, county_actor = actor_for(users.get(username=city)), actor_for(users.get(username=county))
    year = today.year
    city_org, county_org = city_actor.org, county_actor.org
    deps, county_deps = _departments(city_org), _departments(county_org)
    owner = city_actor.user
    n = 0
    for title, content in KEY_WORK:
        _task(city_actor, city_org, deps, owner, kind=TaskKind.KEY, title=title, content=content, year=year, n=n,
              today=today, rng=rng, done=n == 0)
        n += 1
    for i, title in enumerate(PRACTICAL):  # 办理实事15件: the first six done
        _task(city_actor, city_org, deps, owner, kind=TaskKind.PRACTICAL, title=title, content="", year=year, n=n,
              today=today, rng=rng, done=i < 6)
        n += 1
    for title, content in LIVELIHOOD:
        _task(city_actor, city_org, deps, owner, kind=TaskKind.LIVELIHOOD, title=title, content=content, year=year,
              n=n, today=today, rng=rng, done=False)
        n += 1
    for i, (title, content) in enumerate(KEY_WORK[:3]):
        _task(county_actor, county_org, county_deps, county_actor.user, kind=TaskKind.KEY, title=title,
              content=content, year=year, n=i, today=today, rng=rng, done=False)
    for name, items in TARGETS.items():
        _target(city_actor, deps[name], items, year=year, step=STEPS[name])
    return {"tasks": KeyTask.objects.filter(year=year).count(),
            "practical": KeyTask.objects.filter(year=year, kind=TaskKind.PRACTICAL).count(),
            "done": KeyTask.objects.filter(year=year, done_on__isnull=False).count(),
            "targets": TargetPlan.objects.filter(year=year).count()}


def _target(actor, dept, items, *, year: int, step: str) -> TargetPlan:
    plan = targets.target_declare(actor, department=dept, year=year, items=[
        {"title": t, "weight": w, "indicator": i} for t, w, i in items])
    order = ["declared", "approved", "summarised", "reviewed", "evaluated"]
    upto = order.index(step)
    rows = list(plan.items.all())
    if upto >= 1:
        targets.target_approve(actor, plan=plan)
    if upto >= 2:
        targets.target_summarise(actor, plan=plan, summaries={r.pk: f"{r.indicator}，已完成。" for r in rows})
    if upto >= 3:
        # Every item full marks but the last, which loses a fifth of its weight.
        results = {r.pk: ("完成" if k < len(rows) - 1 else "基本完成", r.weight if k < len(rows) - 1
                          else r.weight * 4 / 5) for k, r in enumerate(rows)}
        targets.target_review(actor, plan=plan, results=results)
    if upto >= 4:
        targets.target_evaluate(actor, plan=plan, evaluation="目标任务完成较好，工作成效明显。")
    return plan
