import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent, SupervisionItem

from .. import intake, services
from ..models import Case, CasePause, CoHandler, Intake, State, TimeLimitPolicy
from ..tasks import casework_tick
from ..testing import PHONE, intake_data, log_case

pytestmark = pytest.mark.django_db


def detail(case):
    return reverse("casework:detail", args=[case.code])


def action(case, name):
    return reverse(f"casework:case_{name}", args=[case.code])


def form(**overrides):
    data = {"channel": "visit", "people": "2", "worker_name": "陈秀兰", "phone": PHONE, "workplace": "东湖建筑公司",
            "category": "solution", "topic": "wages", "complexity": "general", "subject": "欠薪三个月",
            "description": "", "received_on": "", "source_note": "", "dispatch_to": "", "reply": ""}
    data.update(overrides)
    return data


# A visit logged at the front desk

def test_a_visit_is_logged_on_one_screen(cast, clock, login):
    client = login(cast.officer_a)
    page = client.get(reverse("casework:new"))
    assert page.status_code == 200 and b'id="intake-form"' in page.content
    # May dispatch at once to a unit below, chosen with the union picker limited to units under this one.
    assert 'name="dispatch_to_q"' in page.content.decode() and "below=CA" in page.content.decode()
    r = client.post(reverse("casework:new"), form())
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == detail(case)
    assert (case.channel, case.people, case.owner) == ("visit", 2, cast.officer_a)
    page = client.get(detail(case))
    html = page.content.decode()
    assert page.status_code == 200 and case.code in html and "137****5678" in html and PHONE not in html
    assert 'id="action-accept"' in html and 'id="action-dispatch"' in html and 'id="action-reply"' in html


def test_a_consultation_answered_at_the_desk_is_logged_and_replied(cast, clock, login):
    client = login(cast.officer_a)
    r = client.post(reverse("casework:new"), form(category="consultation", reply="已当场解答：可申请劳动仲裁。"))
    assert r.status_code == 302
    case = Case.objects.get()
    assert (case.state, case.replied_on_time) == (State.REPLIED, True)


def test_logging_and_dispatching_at_once(cast, clock, login):
    r = login(cast.officer_a).post(reverse("casework:new"), form(dispatch_to="CA1"))
    assert r.status_code == 302
    case = Case.objects.get()
    assert (case.state, case.holder_org) == (State.DISPATCHED, cast.township_a)


def test_bad_input_on_the_front_desk_keeps_what_was_typed(cast, clock, login):
    with translation.override("en"):
        r = login(cast.officer_a).post(reverse("casework:new"), form(topic="", phone="123", subject="欠薪"))
    html = r.content.decode()
    assert r.status_code == 422 and Case.objects.count() == 0
    assert "Choose what the request is about." in html or "This field is required." in html
    assert "欠薪" in html and "陈秀兰" in html


def test_a_failed_dispatch_leaves_nothing_logged(cast, clock, login):
    client = login(cast.officer_a)
    r = client.post(reverse("casework:new"), form(dispatch_to="GB"))  # not a choice
    assert r.status_code == 422 and Case.objects.count() == 0


def test_a_repeat_visit_is_linked(cast, clock, login):
    case = log_case(cast.officer_a)
    client = login(cast.officer_a)
    r = client.post(reverse("casework:new"), form(subject="再次来访"), follow=True)
    assert Case.objects.count() == 1 and Intake.objects.filter(case=case).count() == 2
    assert case.code in r.content.decode()


def test_a_repeat_contact_outside_the_scope_is_linked_without_details(cast, clock, login):
    case = log_case(cast.officer_b)
    r = login(cast.officer_a).post(reverse("casework:new"), form(), follow=True)
    html = r.content.decode()
    assert Case.objects.count() == 1 and Intake.objects.filter(case=case, org=cast.county_a).exists()
    assert case.code not in html and r.request["PATH_INFO"] == reverse("casework:new")


@pytest.mark.parametrize("user", ["auditor_a", "system_admin", "security_admin"])
def test_only_staff_log_visits(cast, login, user):
    client = login(getattr(cast, user))
    assert client.get(reverse("casework:new")).status_code == 403
    assert client.post(reverse("casework:new"), form()).status_code == 403
    assert Case.objects.count() == 0


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in (reverse("casework:inbox"), reverse("casework:new"), reverse("casework:supervision"),
                reverse("supervision:list"), reverse("supervision:thresholds")):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/")


# The inbox

def test_the_inbox_sorts_by_due_date_and_counts_the_tabs(cast, clock, login):
    late = log_case(cast.officer_a, topic="union_founding", phone="13700000001")  # due 5 March
    soon = log_case(cast.officer_a, topic="legal_person", phone="13700000002")  # due today
    later = log_case(cast.officer_a, phone="13700000003")  # due 9 March
    services.case_dispatch(actor=actor_for(cast.officer_a), case=later, to=cast.township_a)
    log_case(cast.officer_b, phone="13700000004")
    client = login(cast.officer_a)
    r = client.get(reverse("casework:inbox"))
    html = r.content.decode()
    assert r.status_code == 200
    assert html.index(soon.code) < html.index(late.code) < html.index(later.code)
    assert 'data-tab="accept"' in html and 'data-count="3"' in html
    assert "西山" not in html
    r = client.get(reverse("casework:inbox"), {"org": "CA1"})
    assert later.code in r.content.decode() and late.code not in r.content.decode()
    other = client.get(reverse("casework:inbox"), {"org": "CB"})  # out of scope: an error by the field, no 404
    assert other.status_code == 200 and "未找到" in other.content.decode() and "西山" not in other.content.decode()
    export = client.get(reverse("casework:inbox"), {"export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_overdue_tab(cast, clock, login):
    case = log_case(cast.officer_a, topic="union_founding")
    clock.set(2026, 3, 9)
    casework_tick()
    r = login(cast.officer_a).get(reverse("casework:inbox"), {"tab": "overdue"})
    html = r.content.decode()
    assert case.code in html and 'data-color="red"' in html


def test_an_auditor_reads_the_inbox_and_the_case_but_cannot_act(cast, clock, login):
    case = log_case(cast.officer_a)
    client = login(cast.auditor_a)
    assert case.code in client.get(reverse("casework:inbox")).content.decode()
    html = client.get(detail(case)).content.decode()
    assert case.code in html and 'id="action-' not in html
    assert client.post(action(case, "accept"), {"complexity": "general"}).status_code == 403


# A case dispatched to a township and returned

def test_dispatch_and_return_through_the_screens(cast, clock, login, township_officer):
    case = log_case(cast.officer_a)
    client = login(cast.officer_a)
    r = client.post(action(case, "dispatch"), {"to": "CA1", "department": "", "note": "请核实"})
    assert r.status_code == 302
    html = client.get(detail(case)).content.decode()
    assert 'id="action-accept"' not in html  # the county dispatched it; the township accepts
    assert client.post(action(case, "accept"), {"complexity": "general"}).status_code == 403
    township = login(township_officer)
    html = township.get(detail(case)).content.decode()
    assert 'id="action-accept"' in html and 'id="action-return"' in html
    with translation.override("en"):
        r = township.post(action(case, "return"), {"reason": ""})
    assert r.status_code == 422
    r = township.post(action(case, "return"), {"reason": "不属于本街道辖区"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.holder_org) == (State.RETURNED, cast.county_a)
    assert township.get(detail(case)).status_code == 404


def test_county_b_cannot_reach_county_a_cases(cast, clock, login):
    case = log_case(cast.officer_a)
    client = login(cast.officer_b)
    assert client.get(detail(case)).status_code == 404
    for name in ("accept", "dispatch", "return", "pause", "resume", "reply", "follow_up", "close", "reopen",
                 "progress", "cohandler", "reclassify", "reveal"):
        assert client.post(action(case, name), {"to": "CA1", "reason": "x", "note": "x"}).status_code == 404
    assert case.code not in client.get(reverse("casework:inbox")).content.decode()
    assert f'data-case="{case.code}"' not in client.get(reverse("casework:inbox"), {"q": case.code}).content.decode()


def test_a_grassroots_officer_does_not_see_the_countys_case(cast, clock, login):
    case = log_case(cast.officer_a)
    assert login(cast.grassroots_officer).get(detail(case)).status_code == 404


# A case paused for missing papers and resumed

def test_pause_and_resume_through_the_screens(cast, clock, login):
    case = log_case(cast.officer_a, topic="legal_person")
    client = login(cast.officer_a)
    r = client.post(action(case, "pause"), {"missing": "工会成立大会决议\n法定代表人身份证复印件"})
    assert r.status_code == 302
    html = client.get(detail(case)).content.decode()
    assert "法定代表人身份证复印件" in html and 'id="action-resume"' in html and 'data-paused="1"' in html
    clock.set(2026, 3, 4)
    client = login(cast.officer_a)  # the session went idle while the clock moved
    r = client.post(action(case, "resume"), {})
    assert r.status_code == 302 and r["Location"] == detail(case)
    case.refresh_from_db()
    assert (case.paused_days, case.due_on) == (2, datetime.date(2026, 3, 4))
    assert CasePause.objects.get().workdays == 2


def test_an_empty_missing_list_is_refused_on_the_screen(cast, clock, login):
    case = log_case(cast.officer_a)
    with translation.override("en"):
        r = login(cast.officer_a).post(action(case, "pause"), {"missing": "   "})
    assert r.status_code == 422 and CasePause.objects.count() == 0


def test_the_auditor_cannot_pause(cast, clock, login):
    case = log_case(cast.officer_a)
    assert login(cast.auditor_a).post(action(case, "pause"), {"missing": "劳动合同"}).status_code == 403


# Reply, follow-up, closing through the screens

def test_reply_follow_up_close_and_reopen(cast, clock, login):
    case = log_case(cast.officer_a)
    client = login(cast.officer_a)
    assert client.post(action(case, "reply"), {"reply": "已协调企业支付"}).status_code == 302
    assert client.post(action(case, "follow_up"), {"satisfaction": "satisfied", "note": ""}).status_code == 302
    assert 'name="solved"' in client.get(detail(case)).content.decode()  # ticked by default
    assert client.post(action(case, "close"), {}).status_code == 302  # the box unticked: answered, not solved
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.solved is False
    html = client.get(detail(case)).content.decode()
    assert 'id="action-reopen"' in html and 'id="action-reply"' not in html
    assert client.post(action(case, "reopen"), {"reason": "职工不满意"}).status_code == 302
    case.refresh_from_db()
    assert case.state == State.REOPENED


def test_the_phone_is_revealed_with_a_reason_only(cast, clock, login):
    case = log_case(cast.officer_a)
    client = login(cast.officer_a)
    assert client.post(action(case, "reveal"), {"reason": ""}).status_code == 422
    r = client.post(action(case, "reveal"), {"reason": "回访职工"})
    assert r.status_code == 200 and PHONE in r.content.decode()
    assert AuditEvent.objects.filter(action="personal.reveal", object_id=case.code, outcome="success").exists()
    assert login(cast.auditor_a).post(action(case, "reveal"), {"reason": "查看"}).status_code == 403


def test_a_co_handling_unit_gives_its_opinion_on_the_screen(cast, clock, login):
    case = log_case(cast.officer_a)
    r = login(cast.officer_a).post(action(case, "cohandler"), {"org": "GA", "task": "提供考勤记录"})
    assert r.status_code == 302
    client = login(cast.grassroots_officer)
    html = client.get(detail(case)).content.decode()
    assert 'id="cohandling-note"' in html and 'id="action-cohandler_report"' in html and 'id="action-reply"' not in html
    assert client.post(action(case, "cohandler_report"), {"report": "考勤记录已提供"}).status_code == 302
    assert CoHandler.objects.get(case=case).report == "考勤记录已提供"
    assert client.post(action(case, "reply"), {"reply": "已答复"}).status_code == 404


# A case going red and escalating

def test_the_supervision_list(cast, clock, login):
    """Escalated cases are on the shared list (/supervision/); the old address leads there."""
    case = log_case(cast.officer_a, topic="union_founding")
    casework_tick(now=clock.advance(days=7))
    item = SupervisionItem.objects.get(kind="case")
    city = login(cast.city_staff)
    r = city.get(reverse("casework:supervision"))
    assert r.status_code == 302 and r["Location"] == reverse("supervision:list") + "?kind=case"
    html = city.get(reverse("supervision:list"), {"kind": "case"}).content.decode()
    assert case.code in html and f'href="/cases/{case.code}/"' in html
    with translation.override("en"):
        assert city.post(reverse("supervision:handle"), {"item": item.pk, "note": ""}).status_code == 422
    r = city.post(reverse("supervision:handle"), {"item": item.pk, "note": "已电话督办"})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.handled_note == "已电话督办"
    assert case.code in city.get(reverse("supervision:list"), {"show": "handled"}).content.decode()
    assert case.code not in city.get(reverse("supervision:list")).content.decode()  # off the "to supervise" tab
    assert "已电话督办" in city.get(reverse("casework:detail", args=[case.code])).content.decode()
    for user in (cast.officer_a, cast.officer_b):
        assert case.code not in login(user).get(reverse("supervision:list"), {"show": "handled"}).content.decode()
    note = {"item": item.pk, "note": "x"}
    assert login(cast.officer_b).post(reverse("supervision:handle"), note).status_code == 404
    assert login(cast.auditor_a).post(reverse("supervision:handle"), note).status_code == 403


# The time-limit policy table

def test_the_system_administrator_edits_the_policy_table(cast, login):
    client = login(cast.system_admin)
    r = client.get(reverse("casework:policies"))
    assert r.status_code == 200
    rule = TimeLimitPolicy.objects.get(topic="union_founding")
    data = {f"days-{p.pk}": p.working_days for p in TimeLimitPolicy.objects.all()}
    data.update({f"commitment-{p.pk}": p.commitment for p in TimeLimitPolicy.objects.all()})
    data[f"days-{rule.pk}"] = "2"
    assert client.post(reverse("casework:policies"), data).status_code == 302
    rule.refresh_from_db()
    assert (rule.working_days, rule.updated_by) == (2, cast.system_admin)
    assert AuditEvent.objects.filter(action="case.policy.update").count() == 1
    data[f"days-{rule.pk}"] = "-1"
    assert client.post(reverse("casework:policies"), data).status_code == 422
    rule.refresh_from_db()
    assert rule.working_days == 2
    r = client.post(reverse("casework:policy_add"), {"category": "", "topic": "safety", "complexity": "general",
                                                     "working_days": "1", "commitment": "安全隐患1个工作日内核查"})
    assert r.status_code == 302 and TimeLimitPolicy.objects.filter(topic="safety").exists()
    assert client.post(reverse("casework:policy_add"), {"category": "", "topic": "safety", "complexity": "general",
                                                        "working_days": "3"}).status_code == 422
    safety = TimeLimitPolicy.objects.get(topic="safety")
    assert client.post(reverse("casework:policy_delete"), {"rule": safety.pk}).status_code == 302
    assert not TimeLimitPolicy.objects.filter(topic="safety").exists()
    base = TimeLimitPolicy.objects.get(category="solution", topic="", complexity="general")
    client.post(reverse("casework:policy_delete"), {"rule": base.pk})
    assert TimeLimitPolicy.objects.filter(pk=base.pk).exists()


@pytest.mark.parametrize("user", ["officer_a", "auditor_a", "security_admin"])
def test_only_the_system_administrator_edits_the_policy_table(cast, login, user):
    client = login(getattr(cast, user))
    assert client.get(reverse("casework:policies")).status_code == 403
    assert client.post(reverse("casework:policy_add"), {"topic": "safety", "complexity": "general",
                                                        "working_days": "1"}).status_code == 403


# The dashboard shows the figures and the trend chart

def test_the_dashboard_shows_casework_figures(cast, clock, login):
    log_case(cast.officer_a)
    intake.case_file_public(org=cast.county_a, data=intake_data(phone="13700000009"), ip=None, mobile=True,
                            consent_version=intake.REQUEST_NOTICE_VERSION)
    html = login(cast.officer_a).get(reverse("orgs:dashboard_home"), {"period": "2026"}).content.decode()
    assert 'data-figure="casework.received"' in html and 'data-chart="casework-trend"' in html
    assert '"type": "line"' in html


def test_the_menu_badge_counts_cases_to_accept_and_overdue(cast, clock):
    from ..selectors import menu_badge

    assert menu_badge(actor_for(cast.officer_a)) is None
    case = log_case(cast.officer_a)
    assert menu_badge(actor_for(cast.officer_a)) == 1
    assert menu_badge(actor_for(cast.city_staff)) is None  # the city's own unit holds nothing
    assert menu_badge(actor_for(cast.officer_b)) is None
    assert menu_badge(actor_for(cast.system_admin)) is None
    services.case_accept(actor=actor_for(cast.officer_a), case=case)
    assert menu_badge(actor_for(cast.officer_a)) is None
    clock.set(2026, 3, 10)
    assert menu_badge(actor_for(cast.officer_a)) == 1  # overdue


def test_the_default_policy_table_is_the_migrated_one(db):
    from ..policies import policy_seed_defaults

    assert TimeLimitPolicy.objects.count() == 18
    assert policy_seed_defaults() == 0
    TimeLimitPolicy.objects.filter(topic="union_founding").delete()
    assert policy_seed_defaults() == 1
    assert TimeLimitPolicy.objects.get(topic="union_founding").working_days == 3


def test_both_ways_of_reading_an_inbox_page_give_the_same_order(cast, clock, monkeypatch):
    from .. import selectors

    officer = actor_for(cast.officer_a)
    for i, topic in enumerate(["union_founding", "legal_person", "wages", "contract", "wages"]):
        log_case(cast.officer_a, topic=topic, phone=f"1370000001{i}")
    assert selectors._sort_subtree(cast.county_a)  # a handful of cases: the subtree's range is sorted
    sorted_page = [c.code for c in selectors.inbox(actor=officer, org=cast.county_a)[:3]]
    monkeypatch.setattr(selectors, "PAGE", 0)  # as for a large subtree: walk the due-date order
    assert not selectors._sort_subtree(cast.county_a)
    walked_page = [c.code for c in selectors.inbox(actor=officer, org=cast.county_a)[:3]]
    assert sorted_page == walked_page and len(walked_page) == 3
    assert walked_page == list(Case.objects.order_by("due_on", "pk").values_list("code", flat=True)[:3])
