"""Target management in five steps: the order enforced, permissions and scope, bad input, the card's pages and the
scores' xlsx."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.core.spreadsheets import read_rows
from gonghui.oversight import targets
from gonghui.oversight.models import Department, TargetPlan, TargetState

pytestmark = pytest.mark.django_db
ITEMS = [{"title": "发展会员", "weight": "60", "indicator": "新发展会员2000人"},
         {"title": "建设职工之家", "weight": "40", "indicator": "新建职工之家5个"}]


@pytest.fixture
def dept(cast):
    return Department.objects.create(org=cast.county_a, org_path=cast.county_a.path, name="组织部")


def _declare(cast, dept, user=None, items=ITEMS, year=2026):
    return targets.target_declare(actor=actor_for(user or cast.officer_a), department=dept, year=year, items=items)


def _through(cast, plan):
    a = actor_for(cast.officer_a)
    ids = [i.pk for i in plan.items.all()]
    targets.target_approve(actor=a, plan=plan)
    targets.target_summarise(actor=a, plan=plan, summaries={ids[0]: "发展会员2100人", ids[1]: "建成4个"})
    targets.target_review(actor=a, plan=plan, results={ids[0]: ("超额完成", "60"), ids[1]: ("完成80%", "30")})
    return targets.target_evaluate(actor=a, plan=plan, evaluation="总体良好")


def test_five_steps_in_order(cast, dept):
    plan = _declare(cast, dept)
    a = actor_for(cast.officer_a)
    with pytest.raises(ValidationError):
        targets.target_review(actor=a, plan=plan, results={})  # not yet summarised
    with pytest.raises(ValidationError):
        targets.target_evaluate(actor=a, plan=plan, evaluation="x")
    plan = _through(cast, plan)
    assert plan.state == TargetState.EVALUATED and plan.total_score == Decimal("90.0") and plan.grade == "优秀"
    with pytest.raises(ValidationError):
        _declare(cast, dept)  # the year's card is issued: no re-declaring
    actions = list(AuditEvent.objects.filter(object_type="oversight.target").order_by("seq")
                   .values_list("action", flat=True))
    assert actions == ["oversight.target_declare", "oversight.target_approve", "oversight.target_summarise",
                       "oversight.target_review", "oversight.target_evaluate"]


def test_redeclare_while_declared(cast, dept):
    plan = _declare(cast, dept)
    again = _declare(cast, dept, items=[{"title": "发展会员", "weight": "100", "indicator": "2000人"}])
    assert again.pk == plan.pk and plan.items.count() == 1


def test_permissions(cast, dept):
    with pytest.raises(Http404):
        _declare(cast, dept, user=cast.officer_b)
    with pytest.raises(Http404):
        _declare(cast, dept, user=cast.grassroots_officer)
    with pytest.raises(PermissionDenied):
        _declare(cast, dept, user=cast.auditor_a)
    plan = _declare(cast, dept)
    with pytest.raises(Http404):
        targets.target_approve(actor=actor_for(cast.officer_b), plan=plan)
    with pytest.raises(PermissionDenied):  # a union officer declares and summarises, never approves
        targets.target_approve(actor=actor_for(cast.grassroots_officer), plan=plan)


@pytest.mark.parametrize("items", [[], [{"title": "", "weight": "10", "indicator": "x"}],
                                   [{"title": "a", "weight": "abc", "indicator": "x"}],
                                   [{"title": "a", "weight": "0", "indicator": "x"}],
                                   [{"title": "a", "weight": "150", "indicator": "x"}]])
def test_bad_declaration(cast, dept, items):
    with pytest.raises(ValidationError):
        _declare(cast, dept, items=items)


def test_bad_review(cast, dept):
    a = actor_for(cast.officer_a)
    plan = _declare(cast, dept, items=ITEMS[:1])
    with pytest.raises(ValidationError, match="100"):
        targets.target_approve(actor=a, plan=plan)  # weights add up to 60
    plan = _declare(cast, dept, items=[{**ITEMS[0], "weight": "100"}])
    targets.target_approve(actor=a, plan=plan)
    item = plan.items.get()
    with pytest.raises(ValidationError):
        targets.target_summarise(actor=a, plan=plan, summaries={item.pk: " "})
    targets.target_summarise(actor=a, plan=plan, summaries={item.pk: "完成"})
    with pytest.raises(ValidationError):
        targets.target_review(actor=a, plan=plan, results={item.pk: ("完成", "101")})
    with pytest.raises(ValidationError):
        targets.target_review(actor=a, plan=plan, results={item.pk: ("", "50")})


def test_pages(client, cast, dept):
    client.force_login(cast.officer_a)
    r = client.post(reverse("oversight:target_new"), {"department": dept.pk, "year": 2026, "t0_title": "发展会员",
                                                      "t0_weight": "abc", "t0_indicator": "2000人"})
    assert r.status_code == 422 and "发展会员" in r.content.decode()
    r = client.post(reverse("oversight:target_new"), {"department": dept.pk, "year": 2026, "t0_title": "发展会员",
                                                      "t0_weight": "100", "t0_indicator": "2000人"})
    assert r.status_code == 302
    plan = TargetPlan.objects.get(department=dept)
    url = reverse("oversight:target_detail", args=[plan.pk])
    assert "目标管理卡" in client.get(url).content.decode()
    assert client.post(reverse("oversight:target_step", args=[plan.pk, "approve"])).status_code == 302
    item = plan.items.get()
    r = client.post(reverse("oversight:target_step", args=[plan.pk, "summarise"]), {f"summary_{item.pk}": ""})
    assert r.status_code == 422
    client.post(reverse("oversight:target_step", args=[plan.pk, "summarise"]), {f"summary_{item.pk}": "完成"})
    client.post(reverse("oversight:target_step", args=[plan.pk, "review"]),
                {f"completion_{item.pk}": "完成", f"score_{item.pk}": "85"})
    client.post(reverse("oversight:target_step", args=[plan.pk, "evaluate"]), {"evaluation": "良好"})
    plan.refresh_from_db()
    assert plan.state == TargetState.EVALUATED and plan.grade == "良好"
    r = client.get(reverse("oversight:targets") + "?year=2026&export=xlsx")
    content = b"".join(r.streaming_content) if r.streaming else r.content
    rows = list(read_rows(content, "x.xlsx"))
    assert "组织部" in rows[1] and "良好" in rows[1]
    for user in (cast.officer_b, cast.grassroots_officer):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(reverse("oversight:target_step", args=[plan.pk, "evaluate"])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
