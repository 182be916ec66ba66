"""Workers' congresses and their proposals: a proposal from submission to a rated reply; the co-signers' setting,
a decline's reason, the deadline in working days, the colors, reminders and escalation of the tick, the reopening
once; sessions and the adoption rule; the delegates' composition and the managers' warning; the delegates' import
(all or nothing); the pages and the API for their users, 404 for another county and another unit, the login for an
anonymous visitor; the figures."""

import datetime
import io
import json
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.core import notify
from gonghui.core.access import actor_for
from gonghui.core.figures import Period
from gonghui.core.figures import get as figure
from gonghui.core.models import AuditEvent, Role
from gonghui.core.spreadsheets import write_xlsx
from gonghui.core.supervision.models import SupervisionItem
from gonghui.core.workdays import add_workdays, is_workday
from gonghui.orgs.models import Org
from gonghui.testing import _user

from .. import congress as services
from .. import proposals
from ..models import Delegate, Proposal, ProposalEventKind, ProposalState, Rating, Session
from ..testing_congress import delegate, make_congress, submit

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class Clock:
    """``timezone.now`` set by hand (Shanghai wall time)."""

    def __init__(self, monkeypatch, start: datetime.datetime):
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, day: datetime.date, hour: int = 10) -> None:
        self.now = datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def clock(monkeypatch):
    """Monday 28 September 2026: the National Day holiday (1-7 October) is ahead."""
    return Clock(monkeypatch, datetime.datetime(2026, 9, 28, 10, tzinfo=SHANGHAI))


@pytest.fixture
def outbox(settings):
    settings.GONGHUI_NOTIFY_BACKEND = "gonghui.core.notify.LocmemBackend"
    notify.outbox.clear()
    yield notify.outbox
    notify.outbox.clear()


@pytest.fixture
def congress(cast):
    return make_congress(cast)


@pytest.fixture
def other_unit_officer(cast):
    """The union officer of another enterprise under county A (东湖纺织厂工会)."""
    org = Org.objects.add_child(cast.township_a, instance=Org(code="GA2", name="东湖纺织厂工会", level="grassroots",
                                                              kind="enterprise"))
    return _user("grassroots_a2", "纺织厂工会主席", Role.UNION_OFFICER, org)


def _through(actor, p, *, rating=Rating.SATISFIED):
    p = proposals.proposal_accept(actor=actor, proposal=p)
    p = proposals.proposal_assign(actor=actor, proposal=p, department="设备动力部", handler="刘工")
    p = proposals.proposal_answer(actor=actor, proposal=p, reply="已更换排风扇8台，增设冷风机4台。")
    return proposals.proposal_rate(actor=actor, proposal=p, rating=rating)


# --- services --------------------------------------------------------------------------------------------------

def test_a_proposal_goes_from_submission_to_a_rated_reply(cast, clock, congress):
    actor = actor_for(cast.grassroots_officer)
    p = submit(cast, congress)
    assert (p.number, p.state, p.entered_by) == ("第3届-001", ProposalState.SUBMITTED, cast.grassroots_officer)
    assert {d.name for d in p.cosigners.all()} == {"李娜", "王强"}
    p = proposals.proposal_accept(actor=actor, proposal=p, note="符合立案条件")
    assert p.state == ProposalState.ACCEPTED and p.decided_on == datetime.date(2026, 9, 28)
    p = proposals.proposal_assign(actor=actor, proposal=p, department="设备动力部", handler="刘工")
    # 15 working days from Monday 28 September: the National Day holiday is skipped, so the answer is due later than
    # three calendar weeks of weekdays (16 October) would put it.
    assert p.due_on == add_workdays(datetime.date(2026, 9, 28), 15)
    assert p.due_on > datetime.date(2026, 10, 16) and is_workday(p.due_on)
    p = proposals.proposal_answer(actor=actor, proposal=p, reply="已更换排风扇8台，增设冷风机4台。")
    assert p.state == ProposalState.ANSWERED and p.color == ""
    p = proposals.proposal_rate(actor=actor, proposal=p, rating=Rating.SATISFIED, note="效果明显")
    p.refresh_from_db()
    assert (p.state, p.rating, p.rated_on) == (ProposalState.RATED, "satisfied", datetime.date(2026, 9, 28))
    assert list(p.events.values_list("kind", flat=True)) == ["submitted", "accepted", "assigned", "answered", "rated"]
    assert set(p.events.values_list("by", flat=True)) == {cast.grassroots_officer.pk}
    assert AuditEvent.objects.filter(object_type="democracy.proposal", object_id=str(p.pk)).count() == 5
    with pytest.raises(ValidationError):  # a rated proposal takes no second rating
        proposals.proposal_rate(actor=actor, proposal=p, rating=Rating.BASIC)
    second = submit(cast, congress, title="关于增加夜班餐补的提案")
    assert second.number == "第3届-002"


def test_the_co_signers_required_are_a_setting_of_the_congress(cast, clock, congress):
    with pytest.raises(ValidationError) as e:
        submit(cast, congress, cosigners=("李娜",))
    assert "cosigners" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        submit(cast, congress, cosigners=("张伟", "李娜"))  # the proposer signs as proposer only
    assert "cosigners" in e.value.message_dict
    other = make_congress(cast, term=4, term_start=datetime.date(2029, 3, 1), term_end=datetime.date(2034, 2, 28),
                          delegates=[("吴刚", "一车间", True, False, False)])
    with pytest.raises(ValidationError) as e:
        proposals.proposal_submit(actor=actor_for(cast.grassroots_officer), congress=congress,
                                  proposer=delegate(congress, "张伟"),
                                  cosigners=[delegate(congress, "李娜"), delegate(other, "吴刚")], title="t",
                                  reason="r", suggestion="s")
    assert "cosigners" in e.value.message_dict
    assert not Proposal.objects.exists()
    services.congress_update(actor=actor_for(cast.grassroots_officer), congress=congress, term_end=congress.term_end,
                             cosigners_required=1, reply_days=10)
    p = submit(cast, congress, cosigners=("李娜",))
    assert p.number == "第3届-001"
    with pytest.raises(ValidationError) as e:
        submit(cast, congress, title="", submitted_on=datetime.date(2023, 1, 5))
    assert {"title", "submitted_on"} <= set(e.value.message_dict)


def test_a_decline_needs_its_reason_and_a_conversion_its_note(cast, clock, congress):
    actor = actor_for(cast.grassroots_officer)
    p = submit(cast, congress)
    with pytest.raises(ValidationError) as e:
        proposals.proposal_decline(actor=actor, proposal=p, reason="   ")
    assert "reason" in e.value.message_dict
    p = proposals.proposal_decline(actor=actor, proposal=p, reason="属于个人劳动争议，请通过劳动争议调解渠道解决")
    assert p.state == ProposalState.DECLINED
    with transaction.atomic(), pytest.raises(IntegrityError):  # the reason is a constraint of the table too
        Proposal.objects.filter(pk=p.pk).update(decision_note="")
    with pytest.raises(ValidationError):
        proposals.proposal_accept(actor=actor, proposal=p)
    q = submit(cast, congress, title="关于组织职工春游的建议")
    with pytest.raises(ValidationError) as e:
        proposals.proposal_convert(actor=actor, proposal=q, note="")
    assert "note" in e.value.message_dict
    q = proposals.proposal_convert(actor=actor, proposal=q, note="转工会女工委作为意见研究")
    assert q.state == ProposalState.CONVERTED
    with pytest.raises(ValidationError):  # only an accepted proposal is assigned
        proposals.proposal_assign(actor=actor, proposal=q, department="工会")


def test_colors_reminders_and_escalation_by_the_tick(cast, login, clock, congress, outbox,
                                                     django_capture_on_commit_callbacks):
    def tick():
        with django_capture_on_commit_callbacks(execute=True):
            return proposals.proposals_tick()

    actor = actor_for(cast.grassroots_officer)
    p = proposals.proposal_accept(actor=actor, proposal=submit(cast, congress))
    p = proposals.proposal_assign(actor=actor, proposal=p, department="设备动力部", handler="刘工")
    waiting = submit(cast, congress, title="关于增加夜班餐补的提案")
    assert tick()["reminders"] == 0
    p.refresh_from_db()
    assert p.color == "" and not outbox

    clock.set(add_workdays(p.due_on, -2))  # within the kind's 3 working days: blue, one reminder
    counts = tick()
    p.refresh_from_db()
    assert p.color == "blue" and counts["reminders"] == 1
    assert len(outbox) == 1 and "设备动力部" in outbox[0].text and outbox[0].to_phone == "13812345678"
    assert tick()["reminders"] == 0 and len(outbox) == 1  # once only

    clock.set(add_workdays(p.due_on, 1))  # overdue: red, reminded, raised to the township (GA's parent)
    counts = tick()
    p.refresh_from_db()
    assert p.color == "red" and counts["escalations"] == 1 and len(outbox) == 2
    waiting.refresh_from_db()
    assert waiting.color == "yellow"  # more than 10 working days waiting for the committee
    item = SupervisionItem.objects.get(kind="proposal", object_id=p.pk)
    assert item.told_org == cast.township_a and item.resolved_at is None
    township = login(_user("township_a", "街道干部", Role.FEDERATION_STAFF, cast.township_a))
    listed = township.get("/supervision/?kind=proposal").content.decode()
    assert p.number in listed and f"/democracy/proposals/{p.pk}/" in listed
    again = tick()
    assert again["reminders"] == 0 and again["escalations"] == 0
    assert len(outbox) == 2 and SupervisionItem.objects.filter(kind="proposal").count() == 1
    assert list(p.events.filter(kind__in=["reminded", "escalated"]).values_list("kind", flat=True)) == [
        "reminded", "reminded", "escalated"]

    p = proposals.proposal_answer(actor=actor, proposal=p, reply="已整改")
    item.refresh_from_db()
    assert p.color == "" and item.resolved_at is not None
    from gonghui.core.supervision import supervision_list

    assert supervision_list(actor_for(cast.officer_a), kind="proposal").count() == 1
    assert supervision_list(actor_for(cast.officer_b), kind="proposal").count() == 0


def test_a_reply_rated_not_satisfied_may_be_reopened_once(cast, clock, congress):
    actor = actor_for(cast.grassroots_officer)
    p = _through(actor, submit(cast, congress), rating=Rating.UNSATISFIED)
    assert proposals.can_reopen(p)
    clock.set(datetime.date(2026, 11, 2))
    p = proposals.proposal_reopen(actor=actor, proposal=p)
    assert (p.state, p.reopened, p.department, p.rating) == (ProposalState.ASSIGNED, True, "设备动力部", "")
    assert p.due_on == add_workdays(datetime.date(2026, 11, 2), 15)
    p = proposals.proposal_answer(actor=actor, proposal=p, reply="二次整改：加装温度监测")
    p = proposals.proposal_rate(actor=actor, proposal=p, rating=Rating.UNSATISFIED)
    assert not proposals.can_reopen(p)
    with pytest.raises(ValidationError):
        proposals.proposal_reopen(actor=actor, proposal=p)
    assert p.events.filter(kind=ProposalEventKind.ANSWERED).count() == 2  # the first reply stays in the timeline


def test_sessions_and_the_adoption_rule(cast, clock, congress):
    actor = actor_for(cast.grassroots_officer)
    with pytest.raises(ValidationError) as e:
        services.session_create(actor=actor, congress=congress, held_on=datetime.date(2026, 3, 20), present=9)
    assert "present" in e.value.message_dict  # 8 delegates
    s = services.session_create(actor=actor, congress=congress, held_on=datetime.date(2026, 3, 20), present=7,
                                place="职工活动中心")
    assert (s.number, s.delegates_total, s.quorum) == (1, 8, True)
    report = services.agenda_item_add(actor=actor, session=s, title="厂长工作报告", kind="report")
    assert report.adopted is None
    yes = services.agenda_item_add(actor=actor, session=s, title="2026年集体合同草案", kind="contract",
                                   votes=(5, 2, 0))
    half = services.agenda_item_add(actor=actor, session=s, title="职工福利方案", kind="welfare", votes=(4, 3, 0))
    assert yes.adopted is True and half.adopted is False  # 4 of 8 is half, not more than half
    with pytest.raises(ValidationError) as e:
        services.agenda_item_add(actor=actor, session=s, title="x", kind="other", votes=(5, 2, 1))  # 8 > 7 present
    assert "votes_for" in e.value.message_dict
    half = services.agenda_item_vote(actor=actor, item=half, votes_for=5, votes_against=2, votes_abstain=0)
    assert half.adopted is True
    s2 = services.session_create(actor=actor, congress=congress, held_on=datetime.date(2026, 9, 1), present=5)
    assert s2.number == 2 and not s2.quorum  # 5 of 8 is not more than two thirds
    with pytest.raises(ValidationError):
        services.session_create(actor=actor, congress=congress, held_on=datetime.date(2030, 1, 1), present=5)


def test_composition_and_the_managers_warning(cast, congress):
    c = services.composition(congress)
    assert (c["total"], c["front_line"], c["women"], c["managers"]) == (8, 3, 4, 1)
    assert c["managers_share"] == 12.5 and not c["warning"]
    services.delegate_add(actor=actor_for(cast.grassroots_officer), congress=congress, name="钱总",
                          election_unit="厂部", manager=True)
    c = services.compositions([congress.pk])[congress.pk]
    assert c["managers"] == 2 and c["managers_share"] == 22.2 and "22.2" in c["warning"]
    with pytest.raises(ValidationError) as e:
        services.delegate_add(actor=actor_for(cast.grassroots_officer), congress=congress, name="郑工",
                              election_unit="一车间", front_line=True, manager=True)
    assert "manager" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.delegate_add(actor=actor_for(cast.grassroots_officer), congress=congress, name="张伟",
                              election_unit="一车间")
    assert "name" in e.value.message_dict


def test_figures_count_sessions_and_proposals_by_subtree_and_period(cast, clock, congress):
    actor = actor_for(cast.grassroots_officer)
    services.session_create(actor=actor, congress=congress, held_on=datetime.date(2026, 3, 20), present=8)
    services.session_create(actor=actor, congress=congress, held_on=datetime.date(2025, 3, 20), present=8)
    _through(actor, submit(cast, congress))
    proposals.proposal_decline(actor=actor, proposal=submit(cast, congress, title="b"), reason="不属于提案范围")
    submit(cast, congress, title="c")
    year = Period.parse("2026")
    assert figure("democracy.congress_sessions").compute(cast.county_a, year) == 1
    assert figure("democracy.congress_sessions").compute(cast.city, Period.parse("2025")) == 1
    assert figure("democracy.congress_sessions").compute(cast.county_b, year) == 0
    by = dict(figure("democracy.proposals").compute(cast.county_a, year))
    assert list(by.values()) == [3, 1, 0, 1, 1]  # received, accepted, converted, declined, answered
    assert sum(n for _label, n in figure("democracy.proposals").compute(cast.county_b, year)) == 0


# --- permissions -------------------------------------------------------------------------------------------------

def test_another_county_another_unit_and_an_anonymous_visitor_are_refused(cast, login, client, clock, congress,
                                                                             other_unit_officer):
    p = submit(cast, congress)
    s = services.session_create(actor=actor_for(cast.grassroots_officer), congress=congress,
                                held_on=datetime.date(2026, 3, 20), present=8)
    pages = [f"/democracy/congresses/{congress.pk}/", f"/democracy/congresses/{congress.pk}/delegates/",
             f"/democracy/congresses/{congress.pk}/proposals/book/", f"/democracy/proposals/{p.pk}/",
             f"/democracy/sessions/{s.pk}/", f"/democracy/proposals/?congress={congress.pk}"]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), url
    assert client.get(f"/api/v1/democracy/proposals/{p.pk}").status_code == 401
    for user in (cast.officer_b, other_unit_officer):
        c = login(user)
        for url in pages:
            assert c.get(url).status_code == 404, (user.username, url)
        assert c.post(f"/democracy/proposals/{p.pk}/decide/", {"decision": "accept", "on": "2026-09-28"}
                      ).status_code == 404
        assert c.post(f"/democracy/congresses/{congress.pk}/proposals/new/", {}).status_code == 404
        assert c.get(f"/api/v1/democracy/proposals/{p.pk}").status_code == 404
        # Scope first: an empty body is a 404 here, not a 422.
        assert c.post(f"/api/v1/democracy/proposals/{p.pk}/decline", "{}",
                      content_type="application/json").status_code == 404
        assert "通风" not in c.get("/democracy/proposals/?tab=all").content.decode()
        assert c.get("/api/v1/democracy/proposals").json()["count"] == 0
    p.refresh_from_db()
    assert p.state == ProposalState.SUBMITTED
    a = login(cast.auditor_a)  # county A's auditor reads, never acts
    assert a.get(f"/democracy/proposals/{p.pk}/").status_code == 200
    assert a.post(f"/democracy/proposals/{p.pk}/decide/", {"decision": "accept"}).status_code == 403


# --- pages -------------------------------------------------------------------------------------------------------

def test_a_proposal_through_the_pages_and_the_proposal_book(cast, login, clock, congress):
    from python_calamine import CalamineWorkbook

    c = login(cast.grassroots_officer)
    for url in ("/democracy/congresses/", "/democracy/congresses/new/", f"/democracy/congresses/{congress.pk}/",
                f"/democracy/congresses/{congress.pk}/delegates/", "/democracy/proposals/",
                "/democracy/disclosures/", "/democracy/disclosures/new/",
                f"/democracy/congresses/{congress.pk}/proposals/new/"):
        assert c.get(url).status_code == 200, url
    ids = {d.name: str(d.pk) for d in Delegate.objects.filter(congress=congress)}
    body = {"proposer": ids["张伟"], "cosigners": [ids["李娜"]], "title": "关于设立职工休息室的提案",
            "reason": "一线职工缺少休息场所", "suggestion": "在一车间旁设立休息室", "submitted_on": "2026-09-28"}
    r = c.post(f"/democracy/congresses/{congress.pk}/proposals/new/", body)
    assert r.status_code == 422 and "cosigners" in r.context["form"].errors
    assert r.context["form"]["title"].value() == "关于设立职工休息室的提案"
    r = c.post(f"/democracy/congresses/{congress.pk}/proposals/new/", {**body, "cosigners": [ids["李娜"], ids["王强"]]})
    assert r.status_code == 302
    p = Proposal.objects.get()
    url = f"/democracy/proposals/{p.pk}/"
    r = c.post(url + "decide/", {"decision": "decline", "note": "", "on": "2026-09-28"})
    assert r.status_code == 422 and "note" in r.context["decision_form"].errors
    assert c.post(url + "decide/", {"decision": "accept", "note": "", "on": "2026-09-28"}).status_code == 302
    r = c.post(url + "assign/", {"department": "", "handler": "", "on": "2026-09-28"})
    assert r.status_code == 422 and r.context["assign_form"].errors["department"]
    assert c.post(url + "assign/", {"department": "行政部", "handler": "马主任", "on": "2026-09-28"}).status_code == 302
    assert c.post(url + "answer/", {"reply": "已腾出一车间东侧房间作为休息室", "on": "2026-09-28"}).status_code == 302
    assert c.post(url + "rate/", {"rating": "basic", "note": "", "on": "2026-09-28"}).status_code == 302
    p.refresh_from_db()
    assert p.state == ProposalState.RATED and p.rating == "basic"
    page = c.get(url).content.decode()
    assert "马主任" in page and "proposal-timeline" in page
    tabs = c.get("/democracy/proposals/?tab=closed")
    assert tabs.status_code == 200 and "关于设立职工休息室的提案" in tabs.content.decode()
    r = c.get(f"/democracy/congresses/{congress.pk}/proposals/book/")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0).to_python()
    row = rows[3]  # two note lines, the header, then the proposals in number order
    assert (row[0], row[2], row[4], row[8], row[9]) == ("第3届-001", "张伟", "李娜、王强", "行政部", "马主任")
    assert "一车间东侧" in row[12] and row[13] == p.get_rating_display()
    assert AuditEvent.objects.filter(action="export", object_type="democracy.congress").exists()


def test_sessions_votes_and_disclosures_through_the_pages(cast, login, clock, congress):
    c = login(cast.grassroots_officer)
    r = c.post(f"/democracy/congresses/{congress.pk}/sessions/new/", {"held_on": "2026-03-20", "present": "20"})
    assert r.status_code == 422 and r.context["session_form"].errors["present"]
    r = c.post(f"/democracy/congresses/{congress.pk}/sessions/new/", {"held_on": "2026-03-20", "present": "7",
                                                                      "place": "职工活动中心"})
    s = Session.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/democracy/sessions/{s.pk}/"
    r = c.post(f"/democracy/sessions/{s.pk}/items/", {"title": "集体合同草案", "kind": "contract", "votes_for": "6"})
    assert r.status_code == 422 and r.context["agenda_form"].errors["votes_for"]
    assert c.post(f"/democracy/sessions/{s.pk}/items/", {"title": "集体合同草案", "kind": "contract",
                                                          "votes_for": "6", "votes_against": "1",
                                                          "votes_abstain": "0"}).status_code == 302
    page = c.get(f"/democracy/congresses/{congress.pk}/").content.decode()
    assert 'data-adopted="1"' in page and "manager-warning" not in page
    r = c.post("/democracy/disclosures/new/", {"org": "GA", "kind": "factory", "disclosed_on": "2026-09-20",
                                               "subject": "2026年度职工福利费使用情况", "summary": "福利费收支明细",
                                               "channel": "board", "audience": "全体职工"})
    assert r.status_code == 302
    r = c.post("/democracy/disclosures/new/", {"org": "GA", "kind": "factory", "disclosed_on": "2026-12-20",
                                               "subject": "x", "summary": "y", "channel": "board", "audience": "z"})
    assert r.status_code == 422 and r.context["form"].errors["disclosed_on"]
    listing = c.get("/democracy/disclosures/?export=xlsx")
    assert listing.status_code == 200 and listing["Content-Disposition"].startswith("attachment")
    assert "2026年度职工福利费使用情况" in c.get("/democracy/disclosures/").content.decode()
    assert "2026年度职工福利费使用情况" not in login(cast.officer_b).get("/democracy/disclosures/").content.decode()


def _sheet(rows) -> bytes:
    return write_xlsx(["姓名", "选举单位", "身份证号", "一线职工", "女职工", "管理人员"], rows)


def test_the_delegates_import_is_all_or_nothing_with_an_error_report(cast, login, congress):
    from python_calamine import CalamineWorkbook

    from gonghui.members.tests.factories import add_member

    member = add_member(cast.grassroots_officer, cast.grassroots_a, name="黄丽", phone="13900001111")
    c = login(cast.grassroots_officer)
    url = f"/democracy/congresses/{congress.pk}/delegates/import/"
    assert c.get(url).status_code == 200
    assert c.get(url + "template/")["Content-Disposition"].startswith("attachment")
    bad = _sheet([["黄丽", "三车间", member.person.id_number, "是", "是", "否"],
                  ["马超", "三车间", "", "可能", "否", "否"],
                  ["张伟", "一车间", "", "是", "否", "否"],
                  ["黄丽", "三车间", "", "是", "是", "否"],
                  ["林涛", "三车间", "110101199001011237", "是", "否", "否"],
                  ["", "三车间", "", "否", "否", "是"]])
    r = c.post(url, {"file": _upload(bad), "check": "1"})
    assert r.status_code == 422
    problems = r.context["problems"]
    assert [p.split("：")[0] for p in problems] == ["第3行", "第4行", "第5行", "第6行", "第7行"]
    assert Delegate.objects.filter(congress=congress).count() == 8  # nothing written
    report = c.post(url, {"file": _upload(bad), "report": "1"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(report.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["行号", "问题", "姓名"] and len(rows) == 6
    good = _sheet([["黄丽", "三车间", member.person.id_number, "是", "是", "否"],
                   ["马超", "三车间", "", "是", "否", "否"]])
    r = c.post(url, {"file": _upload(good), "check": "1"})
    assert r.status_code == 302
    assert Delegate.objects.get(congress=congress, name="黄丽").person == member.person
    assert services.composition(congress)["total"] == 10


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("代表名单.xlsx", content)


# --- API -------------------------------------------------------------------------------------------------------

def _post(c, url, body):
    return c.post(url, json.dumps(body), content_type="application/json")


def test_the_api_takes_a_proposal_to_a_rated_reply_and_refuses_bad_input(cast, login, clock):
    c = login(cast.grassroots_officer)
    r = _post(c, "/api/v1/democracy/congresses", {"org": "GA", "kind": "workers", "term": 2,
                                                  "term_start": "2024-01-01", "term_end": "2028-12-31",
                                                  "cosigners_required": 1})
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    bad = _post(c, "/api/v1/democracy/congresses", {"org": "GA", "kind": "workers", "term": 2,
                                                    "term_start": "2024-01-01", "term_end": "2023-12-31"})
    assert bad.status_code == 422 and any(d["field"] == "term_end" for d in bad.json()["detail"])
    ids = [_post(c, f"/api/v1/democracy/congresses/{cid}/delegates",
                 {"name": n, "election_unit": "一车间", "front_line": True}).json()["id"] for n in ("甲", "乙")]
    boss = _post(c, f"/api/v1/democracy/congresses/{cid}/delegates", {"name": "丙", "election_unit": "厂部",
                                                                       "manager": True})
    assert boss.status_code == 201
    detail = c.get(f"/api/v1/democracy/congresses/{cid}").json()
    assert detail["composition"]["managers"] == 1 and detail["composition"]["warning"]  # 1 of 3
    assert "过半数" in detail["adoption_rule"]
    missing = _post(c, f"/api/v1/democracy/congresses/{cid}/proposals", {"proposer_id": ids[0], "title": "t",
                                                                          "reason": "r", "suggestion": "s"})
    assert missing.status_code == 422
    message = next(d["message"] for d in missing.json()["detail"] if d["field"] == "cosigners")
    assert "附议" in message
    r = _post(c, f"/api/v1/democracy/congresses/{cid}/proposals", {"proposer_id": ids[0], "cosigner_ids": [ids[1]],
                                                                    "title": "关于食堂延时供餐的提案", "reason": "r",
                                                                    "suggestion": "s"})
    assert r.status_code == 201 and r.json()["number"] == "第2届-001"
    pk = r.json()["id"]
    declined = _post(c, f"/api/v1/democracy/proposals/{pk}/decline", {})
    assert declined.status_code == 422 and declined.json()["detail"][0]["field"] == "reason"
    assert _post(c, f"/api/v1/democracy/proposals/{pk}/accept", {}).json()["state"] == "accepted"
    assert _post(c, f"/api/v1/democracy/proposals/{pk}/assign", {"department": "后勤部"}).json()["due_on"] == str(
        add_workdays(datetime.date(2026, 9, 28), 15))
    assert _post(c, f"/api/v1/democracy/proposals/{pk}/answer", {"reply": "已延长至20点"}).json()["state"] == "answered"
    assert _post(c, f"/api/v1/democracy/proposals/{pk}/rate", {"rating": "great"}).status_code == 422
    rated = _post(c, f"/api/v1/democracy/proposals/{pk}/rate", {"rating": "satisfied"}).json()
    assert rated["state"] == "rated" and [e["kind"] for e in rated["timeline"]] == [
        "submitted", "accepted", "assigned", "answered", "rated"]
    assert c.get("/api/v1/democracy/proposals?tab=closed").json()["count"] == 1
    assert c.get("/api/v1/democracy/proposals?tab=nonsense").status_code == 422
    assert _post(c, "/api/v1/democracy/disclosures", {"org": "GA", "kind": "factory", "disclosed_on": "2026-09-01",
                                                      "subject": "s", "summary": "m", "channel": "intranet",
                                                      "audience": "全体职工"}).status_code == 201
    assert _post(c, "/api/v1/democracy/disclosures", {"org": "GA", "kind": "factory"}).status_code == 422
    assert login(cast.officer_b).get(f"/api/v1/democracy/congresses/{cid}").status_code == 404
