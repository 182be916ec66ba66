"""Key tasks as services and pages: milestones, progress, completion; scope, permissions and bad input; the
figure; the list's two views and their xlsx."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from gonghui.core.access import actor_for
from gonghui.core.figures import Period
from gonghui.core.figures import get as figure
from gonghui.core.models import AuditEvent
from gonghui.core.spreadsheets import read_rows
from gonghui.oversight import keytasks
from gonghui.oversight.models import Department, KeyTask, TaskKind

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
YEAR = TODAY.year
D = datetime.timedelta


@pytest.fixture
def depts(cast):
    return {n: Department.objects.create(org=cast.county_a, org_path=cast.county_a.path, name=n, order=i)
            for i, n in enumerate(("办公室", "组织部", "权益保障部"))}


def _task(cast, depts, user=None, **kw):
    args = {"org": cast.county_a, "year": YEAR, "kind": TaskKind.PRACTICAL, "title": "建设职工驿站10个",
            "content": "在全区新建户外劳动者驿站", "lead": depts["权益保障部"], "owner": cast.officer_a,
            "cooperating": [depts["办公室"]],
            "milestones": [("选址", TODAY - D(days=10)), ("建成", TODAY + D(days=60))], **kw}
    return keytasks.task_create(actor=actor_for(user or cast.officer_a), **args)


def test_task_lifecycle(cast, depts):
    a = actor_for(cast.officer_a)
    task = _task(cast, depts)
    assert list(task.cooperating.all()) == [depts["办公室"]] and task.milestones.count() == 2
    first, last = task.milestones.all()
    assert keytasks.milestone_color(first) == "red" and keytasks.milestone_color(last) == ""
    keytasks.report_add(actor=a, task=task, text="已完成选址", percent=40)
    task.refresh_from_db()
    assert task.percent == 40
    with pytest.raises(ValidationError):
        keytasks.task_done(actor=a, task=task, result="建成10个")  # milestones not done
    keytasks.milestone_done(actor=a, milestone=first)
    keytasks.milestone_done(actor=a, milestone=last)
    assert keytasks.milestone_color(first) == ""
    keytasks.task_done(actor=a, task=task, result="建成10个")
    task.refresh_from_db()
    assert task.done_on == TODAY and task.percent == 100
    with pytest.raises(ValidationError):
        keytasks.report_add(actor=a, task=task, text="再报", percent=100)
    actions = set(AuditEvent.objects.filter(object_type="oversight.task").values_list("action", flat=True))
    assert actions == {"oversight.task_create", "oversight.task_report", "oversight.milestone_done",
                       "oversight.task_done"}


def test_task_permissions(cast, depts):
    with pytest.raises(Http404):
        _task(cast, depts, user=cast.officer_b)
    with pytest.raises(Http404):
        _task(cast, depts, user=cast.grassroots_officer)
    with pytest.raises(PermissionDenied):
        _task(cast, depts, user=cast.auditor_a)
    task = _task(cast, depts)
    with pytest.raises(Http404):
        keytasks.report_add(actor=actor_for(cast.officer_b), task=task, text="x", percent=1)
    with pytest.raises(Http404):
        keytasks.report_add(actor=actor_for(cast.grassroots_officer), task=task, text="x", percent=1)


@pytest.mark.parametrize("kw", [{"title": " "}, {"kind": "nope"}, {"year": 1900}, {"owner": None},
                                {"milestones": [("选址", None)]}, {"title": "长" * 201}])
def test_task_bad_input(cast, depts, kw):
    with pytest.raises(ValidationError):
        _task(cast, depts, **kw)


def test_task_lead_of_another_unit_refused(cast, depts):
    other = Department.objects.create(org=cast.county_b, org_path=cast.county_b.path, name="办公室")
    with pytest.raises(ValidationError):
        _task(cast, depts, lead=other)
    with pytest.raises(ValidationError):
        _task(cast, depts, owner=cast.officer_b)


@pytest.mark.parametrize("percent", [-1, 101, "abc"])
def test_report_bad_percent(cast, depts, percent):
    task = _task(cast, depts)
    with pytest.raises(ValidationError):
        keytasks.report_add(actor=actor_for(cast.officer_a), task=task, text="进展", percent=percent)
    with pytest.raises(ValidationError):
        keytasks.report_add(actor=actor_for(cast.officer_a), task=task, text="进展", percent=5, on=TODAY + D(days=1))


def test_figure_key_tasks(cast, depts):
    a = actor_for(cast.officer_a)
    done = _task(cast, depts, milestones=[])
    keytasks.task_done(actor=a, task=done, result="完成")
    _task(cast, depts, kind=TaskKind.KEY, title="深化产改", milestones=[])
    _task(cast, depts, year=YEAR - 1, title="去年", milestones=[])
    period = Period(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31), str(YEAR))
    rows = dict(figure("oversight.key_tasks").compute(cast.city, period))
    assert rows == {"重点工作": 1, "重点工作：已完成": 0, "办实事": 1, "办实事：已完成": 1}
    assert figure("oversight.key_tasks").compute(cast.county_b, period) == []


def test_pages(client, cast, depts):
    task = _task(cast, depts)
    client.force_login(cast.officer_a)
    r = client.get(reverse("oversight:tasks"))
    assert r.status_code == 200 and "建设职工驿站10个" in r.content.decode() and "权益保障部" in r.content.decode()
    r = client.get(reverse("oversight:tasks") + "?view=progress")
    assert "选址" in r.content.decode()
    r = client.get(reverse("oversight:tasks") + "?view=progress&export=xlsx")
    content = b"".join(r.streaming_content) if r.streaming else r.content
    rows = list(read_rows(content, "x.xlsx"))
    assert "建设职工驿站10个" in rows[1] and "最新进展" in rows[0]
    r = client.get(reverse("oversight:task_detail", args=[task.pk]))
    assert r.status_code == 200 and "选址" in r.content.decode()
    r = client.post(reverse("oversight:task_action", args=[task.pk, "report"]), {"text": "", "percent": "150"})
    assert r.status_code == 422
    r = client.post(reverse("oversight:task_action", args=[task.pk, "report"]), {"text": "推进中", "percent": "30"})
    assert r.status_code == 302
    r = client.post(reverse("oversight:task_new"), {"year": YEAR, "kind": "key", "title": "",
                                                    "lead": depts["办公室"].pk, "owner": cast.officer_a.pk,
                                                    "m0_title": "启动"})
    assert r.status_code == 422 and "启动" in r.content.decode()
    r = client.post(reverse("oversight:task_new"), {"year": YEAR, "kind": "key", "title": "职工技能竞赛",
                                                    "lead": depts["组织部"].pk, "owner": cast.officer_a.pk,
                                                    "m0_title": "启动", "m0_due": str(TODAY)})
    assert r.status_code == 302
    assert KeyTask.objects.get(title="职工技能竞赛").milestones.count() == 1


def test_pages_scoped(client, cast, depts):
    task = _task(cast, depts)
    for user in (cast.officer_b, cast.grassroots_officer):
        client.force_login(user)
        assert client.get(reverse("oversight:task_detail", args=[task.pk])).status_code == 404
        assert "建设职工驿站10个" not in client.get(reverse("oversight:tasks")).content.decode()
        r = client.post(reverse("oversight:task_action", args=[task.pk, "report"]), {"text": "x", "percent": "3"})
        assert r.status_code == 404
    client.logout()
    r = client.get(reverse("oversight:task_detail", args=[task.pk]))
    assert r.status_code == 302 and "login" in r["Location"]
