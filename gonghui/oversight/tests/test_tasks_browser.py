"""Key tasks and a target card in a browser: the year's list in its two views, a task's page (a progress report
refused then taken, a milestone done); a target card declared, approved, summarised, reviewed and evaluated."""

import datetime

import pytest
from django.utils import timezone

from gonghui.browser import log_in
from gonghui.core.access import actor_for
from gonghui.oversight import keytasks
from gonghui.oversight.models import Department, TargetPlan, TargetState, TaskKind
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_task_list_and_page(page):
    cast = build_cast()
    today = timezone.localdate()
    dept = Department.objects.create(org=cast.county_a, org_path=cast.county_a.path, name="权益保障部")
    task = keytasks.task_create(actor_for(cast.officer_a), org=cast.county_a, year=today.year,
                                kind=TaskKind.PRACTICAL, title="建设母婴关爱室20个", lead=dept, owner=cast.officer_a,
                                milestones=[("选址", today - datetime.timedelta(days=3))])
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/oversight/tasks/?view=progress")
    page.wait_for_selector("#task-list")
    assert "节点已逾期" in page.locator("#task-list").inner_text()
    page.click("#task-views a >> nth=0")
    page.wait_for_selector("#task-list")
    assert "权益保障部" in page.locator("#task-list").inner_text()
    page.click("#task-list a:has-text('建设母婴关爱室20个')")
    page.wait_for_selector("#task-milestones [data-color=red]")
    page.fill("#report-form textarea", "已完成选址")
    page.fill("#report-form input[name=percent]", "150")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#report-form .invalid-feedback")
    assert page.locator("#report-form textarea").input_value() == "已完成选址"
    page.fill("#report-form input[name=percent]", "40")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#task-reports li:has-text('已完成选址')")
    page.click("#task-milestones button[type=submit]")
    page.wait_for_selector("#task-milestones .text-success")
    task.refresh_from_db()
    assert task.percent == 40 and task.milestones.get().done_on == today


def test_target_card_through_review(page):
    cast = build_cast()
    dept = Department.objects.create(org=cast.county_a, org_path=cast.county_a.path, name="组织部")
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/oversight/targets/new/")
    page.select_option("#target-form select[name=department]", str(dept.pk))
    page.fill("input[name=year]", "2026")
    page.fill("input[name=t0_title]", "发展会员")
    page.fill("input[name=t0_weight]", "60")
    page.fill("input[name=t0_indicator]", "新发展会员2000人")
    page.fill("input[name=t1_title]", "建设职工之家")
    page.fill("input[name=t1_weight]", "40")
    page.fill("input[name=t1_indicator]", "新建5个")
    page.click("#target-save")
    page.wait_for_selector("#target-state[data-state=declared]")
    page.click("#target-step")
    page.wait_for_selector("#target-state[data-state=approved]")
    for box in page.locator("textarea[name^=summary_]").all():
        box.fill("已完成")
    page.click("#target-step")
    page.wait_for_selector("#target-state[data-state=summarised]")
    scores = page.locator("input[name^=score_]").all()
    for box in page.locator("input[name^=completion_]").all():
        box.fill("完成")
    scores[0].fill("70")  # above the weight: refused, the input kept
    scores[1].fill("35")
    page.click("#target-step")
    page.wait_for_selector("#target-error")
    assert page.locator("input[name^=score_] >> nth=1").input_value() == "35"
    page.locator("input[name^=score_] >> nth=0").fill("55")
    page.click("#target-step")
    page.wait_for_selector("#target-state[data-state=reviewed]")
    assert page.locator("#target-total").inner_text() == "90.0"
    page.fill("#target-evaluation-text", "成效明显")
    page.click("#target-step")
    page.wait_for_selector("#target-grade")
    assert page.locator("#target-grade").inner_text() == "优秀"
    assert TargetPlan.objects.get().state == TargetState.EVALUATED
