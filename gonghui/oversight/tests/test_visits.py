"""Field visits: the service (units of the tree and enterprises by credit code, counts, findings), a finding put on
the problem list with a link back, refusals (another county, a grassroots officer, an anonymous visitor), bad input,
the pages and the xlsx, the figures against a hand count."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gonghui.core import figures
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.core.spreadsheets import read_rows
from gonghui.oversight import visits
from gonghui.oversight.models import FieldVisit, FindingFate, Problem, VisitStat
from gonghui.oversight.testing_visits import record_visit, uscc

pytestmark = pytest.mark.django_db


def test_visit_records_units_counts_and_findings(cast):
    code = uscc()
    v = record_visit(cast.officer_a, units=f"GA\n新华科技有限公司，{code}", team=[cast.officer_a])
    names = [(u.unit_id, u.name, u.uscc) for u in v.units.all()]
    assert names == [(cast.grassroots_a.pk, "东湖机械厂工会", ""), (None, "新华科技有限公司", code)]
    assert (v.forums, v.forum_people, v.interviews, v.questionnaires, v.solved) == (1, 12, 3, 40, 1)
    assert [f.text for f in v.findings.all()] == ["职工食堂收费未公开"]
    assert AuditEvent.objects.filter(action="oversight.visit_create", object_id=str(v.pk)).exists()
    # Counted on the unit and on every federation above it.
    for org in (cast.county_a, cast.city):
        row = VisitStat.objects.get(unit=org.path, month=202603)
        assert (row.visits, row.units, row.forums, row.forum_people, row.interviews, row.findings) == (1, 2, 1, 12,
                                                                                                       3, 1)
    assert not VisitStat.objects.filter(unit=cast.county_b.path).exists()
    # An edit moves the counts, not adds them.
    visits.visit_update(actor_for(cast.officer_a), visit=v, title=v.title, started_on=v.started_on,
                        leader=cast.officer_a, units="GA", forums=2, forum_people=30, interviews=0,
                        questionnaires=0, new_findings=["活动阵地长期关闭"])
    row = VisitStat.objects.get(unit=cast.city.path, month=202603)
    assert (row.visits, row.units, row.forums, row.forum_people, row.findings, row.solved) == (1, 1, 2, 30, 2, 0)


def test_finding_becomes_a_problem_linked_back(cast):
    v = record_visit(cast.officer_a, units="GA")
    f = v.findings.get()
    p = visits.finding_to_problem(actor_for(cast.officer_a), finding=f, org=cast.grassroots_a)
    assert (p.source.key, p.org, p.link_kind, p.link_id, p.stage) == ("field_research", cast.grassroots_a,
                                                                      "oversight.visit", v.pk, "draft")
    f.refresh_from_db()
    assert (f.fate, f.link_id) == (FindingFate.PROBLEM, p.pk)
    with pytest.raises(ValidationError):
        visits.finding_to_problem(actor_for(cast.officer_a), finding=f)
    assert Problem.objects.count() == 1


@pytest.mark.parametrize("units, message", [
    ("", "至少"),
    ("新华科技有限公司 91330102MA2B3C4D5X", "第1行"),  # a wrong check character
    ("GB", "第1行"),  # a unit of the other county is not a code of this area
    (f"甲公司 {uscc()}\n乙公司 {uscc()}", "第2行"),  # the same code twice
])
def test_bad_units_refused(cast, units, message):
    with pytest.raises(ValidationError) as exc:
        record_visit(cast.officer_a, units=units)
    assert message in "；".join(exc.value.messages)
    assert not FieldVisit.objects.exists()


def test_bad_counts_and_dates_refused(cast):
    with pytest.raises(ValidationError):
        record_visit(cast.officer_a, ended_on=datetime.date(2026, 3, 1))
    with pytest.raises(ValidationError):
        record_visit(cast.officer_a, forums=0, forum_people=10)
    with pytest.raises(ValidationError):
        record_visit(cast.officer_a, solved=2, solved_text="")
    with pytest.raises(ValidationError):
        record_visit(cast.officer_a, interviews=-1)
    with pytest.raises(ValidationError):
        record_visit(cast.officer_a, leader=cast.officer_b)  # not staff of the unit
    with pytest.raises(ValidationError):
        record_visit(cast.officer_a, title="x" * 201)
    assert not FieldVisit.objects.exists()


def test_refusals(cast, client, login):
    v = record_visit(cast.officer_a, units="GA")
    with pytest.raises(Http404):
        from gonghui.oversight.selectors_visits import visit_get

        visit_get(actor=actor_for(cast.officer_b), pk=v.pk)
    assert login(cast.officer_b).get(f"/oversight/visits/{v.pk}/").status_code == 404
    assert str(v.title) not in login(cast.officer_b).get("/oversight/visits/").content.decode()
    gro = login(cast.grassroots_officer)
    assert gro.get(f"/oversight/visits/{v.pk}/").status_code == 404
    assert gro.post(f"/oversight/visits/findings/{v.findings.get().pk}/problem/",
                    {f"f{v.findings.get().pk}-unit": "GA"}).status_code == 404
    with pytest.raises(Exception):  # noqa: B017 (PermissionDenied or Http404: both refuse)
        visits.visit_update(actor_for(cast.officer_b), visit=v, title="改", started_on=v.started_on,
                            leader=cast.officer_b, units="GB")
    client.logout()
    assert client.get("/oversight/visits/").status_code == 302
    assert client.get(f"/oversight/visits/{v.pk}/").status_code == 302
    assert login(cast.auditor_a).get("/oversight/visits/new/").status_code == 403


def test_pages_form_and_export(cast, login):
    client = login(cast.officer_a)
    code = uscc()
    data = {"title": "走访东湖工业园", "started_on": "2026-05-06", "ended_on": "2026-05-07",
            "leader": cast.officer_a.pk, "team": [cast.officer_a.pk], "units": f"GA\n新华科技有限公司 {code[:-1]}0",
            "forums": 2, "forum_people": 25, "interviews": 4, "questionnaires": 60, "solved": 0, "solved_text": "",
            "summary": "", "findings": "女职工休息室未建\n<script>alert(1)</script>"}
    resp = client.post("/oversight/visits/new/", data)
    assert resp.status_code == 422
    body = resp.content.decode()
    assert "走访东湖工业园" in body and "第2行" in body  # input kept, the bad line named in Chinese
    data["units"] = f"GA\n新华科技有限公司 {code}"
    resp = client.post("/oversight/visits/new/", data)
    assert resp.status_code == 302
    v = FieldVisit.objects.get(title="走访东湖工业园")
    page = client.get(f"/oversight/visits/{v.pk}/").content.decode()
    assert "新华科技有限公司" in page and "未建会" in page and "<script>alert" not in page
    f = v.findings.order_by("pk").first()
    resp = client.post(f"/oversight/visits/findings/{f.pk}/problem/", {f"f{f.pk}-unit": "GA"})
    assert resp.status_code == 302
    p = Problem.objects.get(link_kind="oversight.visit", link_id=v.pk)
    assert p.org == cast.grassroots_a and "女职工休息室未建" in p.title
    assert p.number in client.get(f"/oversight/visits/{v.pk}/").content.decode()
    edit = client.get(f"/oversight/visits/{v.pk}/edit/").content.decode()
    assert code in edit
    listing = client.get("/oversight/visits/?start=2026-05-01&end=2026-05-31").content.decode()
    assert "走访东湖工业园" in listing
    assert "走访东湖工业园" not in client.get("/oversight/visits/?start=2026-06-01").content.decode()
    resp = client.get("/oversight/visits/?export=xlsx")
    content = b"".join(resp.streaming_content) if resp.streaming else resp.content
    values = [c for row in read_rows(content, "x.xlsx") for c in row if c not in (None, "")]
    assert "走访东湖工业园" in values and any("新华科技有限公司" in str(c) for c in values)


def test_figures_match_a_hand_count(cast):
    record_visit(cast.officer_a, units=f"GA\n甲公司 {uscc()}", forums=2, forum_people=20, interviews=5,
                 on=datetime.date(2026, 3, 2))
    record_visit(cast.officer_a, org=cast.township_a, units="GA", forums=1, forum_people=8, interviews=1,
                 on=datetime.date(2026, 3, 20))
    record_visit(cast.officer_b, units="GB", forums=4, forum_people=50, interviews=9, on=datetime.date(2026, 3, 5))
    record_visit(cast.officer_a, units="GA", forums=7, forum_people=70, interviews=7, on=datetime.date(2026, 4, 2))
    march = figures.Period.parse("2026-03")
    q1 = figures.Period.parse("2026-03-02~2026-03-31")  # not whole months: raw
    for period in (march, q1):
        got = {k: figures.get(k).compute(cast.county_a, period) for k in
               ("oversight.field_visits", "oversight.forums", "oversight.forum_people", "oversight.interviews")}
        assert got == {"oversight.field_visits": 3, "oversight.forums": 3, "oversight.forum_people": 28,
                       "oversight.interviews": 6}
    city = {k: figures.get(k).compute(cast.city, march) for k in ("oversight.field_visits", "oversight.forums")}
    assert city == {"oversight.field_visits": 4, "oversight.forums": 7}
    assert figures.get("oversight.forums").compute(cast.township_a, march) == 1
