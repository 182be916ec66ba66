"""Demo rectification ledger: measures on the demo's final problems in every color (red overdue and raised to the
parent's supervision list, yellow without a report in the open dispatch round, blue due soon, on schedule, closed
with evidence by a second person), two weekly dispatch rounds (last week's closed with missed reports, this week's
open), a coordination meeting and the snail list published by the tick.

Played through the services; a measure set weeks ago, and last week's round, get their past dates written after
the service made them (the services refuse a deadline in the past, as they should for a new measure).

Call ``seed_ledger(finals)`` with the final problems (``gonghui.demo.oversight_problems.final_problems()``)."""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.core.access import actor_for
from gonghui.core.attachments import services as attachments
from gonghui.core.models import Grant, Role
from gonghui.core.workdays import add_workdays
from gonghui.oversight import dispatch, ledger, stats_measures
from gonghui.oversight.models import DispatchReport, DispatchRound, Measure, MeasureState
from gonghui.oversight.tasks_ledger import ledger_tick

PLANS = [  # (steps, indicator, expected)
    ("制定整改方案，明确时间表和责任分工", "方案印发率100%", "问题按期整改到位"),
    ("开展专项自查，建立问题台账并逐项销号", "自查覆盖率100%", "同类问题不再发生"),
    ("修订完善相关制度，组织全员学习", "制度修订不少于2项，学习覆盖100%", "制度执行常态化"),
]
LEADERS = ["张明", "李华", "王强", "赵丽"]
PDF = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def _plain(d) -> datetime.date:
    return datetime.date(d.year, d.month, d.day)


def _office(org):
    """A federation officer whose unit covers ``org``, the nearest first."""
    grants = (Grant.objects.filter(role=Role.FEDERATION_STAFF).select_related("user", "org")
              .order_by("-org__depth", "pk"))
    for grant in grants:
        if org.path.startswith(grant.org.path):
            return grant
    return None


CHAIRS = ["王建国", "李秀梅", "张卫东", "刘海燕", "陈志强", "杨丽娟", "赵永刚", "黄晓燕", "周国华", "吴春兰"]


def _owner(org):
    """The unit's own officer; a union without a login yet gets one for its chair (责任人), a demo user."""
    grant = (Grant.objects.filter(org__path__startswith=org.path, role__in=(Role.UNION_OFFICER, Role.FEDERATION_STAFF))
             .select_related("user").order_by("org__depth", "pk").first())
    if grant is not None:
        return grant.user
    from gonghui.demo.seed import DEMO_PASSWORD

    user = get_user_model().objects.create_user(username=f"chair-{org.code.lower()}", password=DEMO_PASSWORD,
                                                display_name=CHAIRS[org.pk % len(CHAIRS)], is_demo=True)
    Grant.objects.create(user=user, role=Role.UNION_OFFICER, org=org)
    return user


def seed_ledger(finals) -> dict:
    today = timezone.localdate()
    counts = {"measures": 0, "closed": 0, "rounds": 0, "meetings": 0}
    made: list[tuple[Measure, object, object]] = []  # measure, office actor, owner actor
    for i, problem in enumerate(finals):
        office, owner = _office(problem.org), _owner(problem.org)
        if office is None or owner is None:
            continue
        office_actor = actor_for(office.user, office.id)
        for j in range(1 + i % 2):
            steps, indicator, expected = PLANS[(i + j) % len(PLANS)]
            m = ledger.measure_add(office_actor, problem=problem, steps=steps, indicator=indicator, expected=expected,
                                   due_days=[15, 2, 20, 10, 30][(i + j) % 5], owner=owner,
                                   leader=LEADERS[(i + j) % len(LEADERS)])
            made.append((m, office_actor, actor_for(owner)))
            counts["measures"] += 1
    if not made:
        return counts
    # Measures set weeks ago whose deadline has passed (red after the tick).
    for m, _office_actor, _owner_actor in made[::5]:
        before = stats_measures.contribution(m)
        Measure.objects.filter(pk=m.pk).update(due_on=_plain(add_workdays(today, -4)),
                                               created_at=timezone.now() - datetime.timedelta(days=40))
        m.refresh_from_db()
        stats_measures.apply(before, stats_measures.contribution(m))  # the figures' rows follow the backdating
    # Last week's dispatch round: most owners reported, some did not.
    top = min((office_actor for _m, office_actor, _o in made), key=lambda a: len(a.org.path))
    last = dispatch.round_open(top, title=f"第{today.isocalendar()[1] - 1}周整改调度", due_on=today)
    for k, (m, _office_actor, owner_actor) in enumerate(made):
        if k % 4 != 3:
            ledger.progress_add(owner_actor, measure=m, text="已按方案推进，完成阶段性任务", percent=20 + (k * 7) % 50)
    dispatch.round_close(top, rnd=last)
    week_ago = today - datetime.timedelta(days=7)
    DispatchRound.objects.filter(pk=last.pk).update(due_on=week_ago)
    DispatchReport.objects.filter(round=last).update(due_on=week_ago)
    # This week's round: open; the owners who have not reported yet are yellow.
    current = dispatch.round_open(top, title=f"第{today.isocalendar()[1]}周整改调度",
                                  due_on=_plain(add_workdays(today, 3)))
    counts["rounds"] = 2
    soon = _plain(add_workdays(today, 3))
    for k, (m, _office_actor, owner_actor) in enumerate(made):
        m.refresh_from_db()
        # Reported this week: no longer yellow; those due within 3 working days show blue after the tick.
        if (k % 3 == 0 and k % 5) or (m.state == MeasureState.OPEN and today <= m.due_on <= soon):
            ledger.progress_add(owner_actor, measure=m, text="本周推进情况：已完成过半", percent=60)
    # Closed with evidence, by the office (not the owner).
    for m, office_actor, owner_actor in [x for x in made if x[1].user != x[0].owner][1::4]:
        m.refresh_from_db()
        if m.state != MeasureState.OPEN:
            continue
        attachments.attachment_upload(actor=owner_actor, kind="oversight.measure", object_id=str(m.pk),
                                      upload=SimpleUploadedFile("整改佐证材料.pdf", PDF,
                                                                content_type="application/pdf"))
        ledger.progress_add(owner_actor, measure=m, text="整改完成，佐证材料已上传", percent=100)
        ledger.closure_request(owner_actor, measure=m, note="已整改到位，申请销号")
        ledger.closure_close(office_actor, measure=m, note="经核查佐证材料齐全，同意销号")
        counts["closed"] += 1
    problems = list({m.problem_id for m, _a, _o in made[:3]})
    dispatch.meeting_add(top, held_on=today, title="整改难点问题协调会", attendees="张明、李华、王强",
                         decisions="对逾期未销号问题实行挂牌督办，责任单位每周报送进展", problems=problems)
    counts["meetings"] = 1
    counts["tick"] = ledger_tick()
    counts["round"] = current.pk
    return counts
