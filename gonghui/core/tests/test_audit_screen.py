"""The audit screen an auditor can read: Chinese labels, objects by name with links in scope, labelled details,
filters by group, unit, user and dates, keyset pages, and an audited xlsx export."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.orgs.services import org_update


def _case_event(cast, org, code="C1", **details):
    return audit.record(actor=actor_for(cast.officer_a), action="case.dispatch", object_type="case", object_id=code,
                        scope_path=org.path, details={"state": "dispatched", "topic": "union_founding",
                                                      "on_time": True, **details})


def test_labels_names_and_links_instead_of_codes(cast, login):
    org_update(actor=actor_for(cast.officer_a), org=cast.grassroots_a, contact_name="张三")
    _case_event(cast, cast.grassroots_a)
    body = login(cast.auditor_a).get("/audit/").content.decode()
    assert "修改工会信息" in body and "交办诉求" in body
    assert "东湖机械厂工会" in body and 'href="/orgs/GA/"' in body  # the object by name, linked
    assert "东湖区总工会" in body  # the actor's unit by name
    assert "办理状态：</span>已分派" in body and "诉求事项：</span>组建工会" in body and "按时：</span>是" in body
    assert "修改的项目：</span>联系人" in body
    for raw in ("org.update", "state=dispatched", "True", "union_founding<"):
        assert raw not in body.replace('data-action="org.update"', "").replace('data-action="case.dispatch"', "")


def test_the_online_worker_shows_as_the_worker(cast, login):
    from gonghui.casework.intake import PUBLIC

    audit.record(actor=PUBLIC, action="case.rate", object_type="case", object_id="C9", scope_path=cast.city.path,
                 details={"satisfaction": "basic"})
    body = login(cast.audit_admin).get("/audit/").content.decode()
    assert "职工本人（网上）" in body and "基本满意" in body
    assert ">public<" not in body


def test_an_object_outside_the_readers_scope_is_neither_named_nor_linked(cast, login):
    # A unit of county B recorded in county A's subtree (a transfer between the two): A's auditor sees the code.
    audit.record(actor=actor_for(cast.officer_a), action="org.update", object_type="org", object_id="GB",
                 scope_path=cast.county_a.path, details={"changed": ["name"]})
    body = login(cast.auditor_a).get("/audit/").content.decode()
    assert "西山水泥厂工会" not in body and 'href="/orgs/GB/"' not in body and " GB</td>" in body


def test_filters_by_group_unit_user_and_dates(cast, login):
    org_update(actor=actor_for(cast.officer_a), org=cast.grassroots_a, contact_name="张三")
    _case_event(cast, cast.grassroots_a)
    _case_event(cast, cast.county_a, code="C2")
    audit.record(actor=actor_for(cast.officer_b), action="case.dispatch", object_type="case", object_id="C3",
                 scope_path=cast.grassroots_b.path)
    c = login(cast.audit_admin)

    def seqs(**params):
        resp = c.get("/audit/", params)
        assert resp.status_code == 200
        return [e["action"] + ":" + e["object"].text for e in resp.context["events"] if e["object"]]

    assert seqs(group="orgs") == ["org.update:东湖机械厂工会"]
    assert seqs(group="casework", unit="GA") == ["case.dispatch:C1"]
    assert seqs(group="casework", user="officer_b") == ["case.dispatch:C3"]
    assert len(seqs(group="casework", user="区总干部甲")) == 2  # by the user's name too
    today = timezone.localdate(AuditEvent.objects.latest("seq").at)  # the screen filters by days in Asia/Shanghai
    assert len(seqs(group="casework", start=today.isoformat(), end=today.isoformat())) == 3
    assert seqs(group="casework", start=today.replace(year=today.year + 1).isoformat()) == []


def test_bad_filters_get_chinese_messages(cast, login):
    c = login(cast.auditor_a)
    resp = c.get("/audit/", {"unit": "GB"})  # another county's unit: not in scope, same as missing
    assert resp.status_code == 200 and "未找到该单位“GB”" in resp.content.decode()  # next to the field, not a 404
    assert list(resp.context["events"]) == []
    resp = c.get("/audit/", {"start": "2026-05-02", "end": "2026-05-01"})
    assert "结束日期早于开始日期" in resp.content.decode()
    resp = c.get("/audit/", {"start": "not-a-date", "before": "x" * 50})
    assert resp.status_code == 200
    assert c.get("/audit/", {"before": "99999999999999999999999"}).status_code == 200


@pytest.mark.parametrize("who", ["officer_b", "grassroots_officer", "system_admin"])
def test_other_roles_are_refused(cast, login, who):
    assert login(getattr(cast, who)).get("/audit/").status_code == 403


def test_anonymous_is_sent_to_sign_in(cast, client):
    resp = client.get("/audit/")
    assert resp.status_code == 302 and "/login/" in resp["Location"]


def test_county_auditor_sees_only_the_county(cast, login):
    _case_event(cast, cast.grassroots_a)
    audit.record(actor=actor_for(cast.officer_b), action="case.dispatch", object_type="case", object_id="CB9",
                 scope_path=cast.grassroots_b.path)
    body = login(cast.auditor_a).get("/audit/").content.decode()
    assert "C1" in body and "CB9" not in body


def test_keyset_pages_without_a_count(cast, login, settings):
    for i in range(120):
        audit.record(actor=actor_for(cast.officer_a), action="org.update", object_type="org", object_id="GA",
                     scope_path=cast.grassroots_a.path, details={"changed": ["name"], "i": i})
    c = login(cast.auditor_a)
    with CaptureQueriesContext(connection) as ctx:
        first = c.get("/audit/")
    assert not any("COUNT(" in q["sql"].upper() and "core_auditevent" in q["sql"] for q in ctx.captured_queries)
    seqs = [e["seq"] for e in first.context["events"]]
    assert len(seqs) == 50 and seqs == sorted(seqs, reverse=True)
    older = first.context["page"].older
    second = c.get("/audit/", {"before": older})
    seqs2 = [e["seq"] for e in second.context["events"]]
    assert seqs2[0] == seqs[-1] - 1 and len(seqs2) == 50
    back = c.get("/audit/", {"after": second.context["page"].newer})
    assert [e["seq"] for e in back.context["events"]] == seqs


def test_objects_resolve_in_one_query_per_type(cast, login):
    """No N+1: the page's queries do not grow with the number of events of each object type."""
    c = login(cast.auditor_a)
    c.get("/audit/")  # the session's first page writes it (last seen), the next ones do not

    def queries(n):
        for i in range(n):
            org_update(actor=actor_for(cast.officer_a), org=cast.grassroots_a, contact_name=f"张{i}")
            _case_event(cast, cast.grassroots_a, code=f"K{i}")
        with CaptureQueriesContext(connection) as ctx:
            assert c.get("/audit/").status_code == 200
        return len(ctx.captured_queries)

    assert queries(2) == queries(20)


def test_export_is_labelled_and_audited(cast, login):
    from python_calamine import CalamineWorkbook

    _case_event(cast, cast.grassroots_a)
    c = login(cast.auditor_a)
    resp = c.get("/audit/", {"group": "casework", "export": "xlsx"})
    assert resp.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(resp.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:5] == ["序号", "时间", "用户", "单位", "操作"]
    assert len(rows) == 2 and rows[1][4] == "交办诉求" and "办理状态：已分派" in rows[1][10]
    ev = AuditEvent.objects.latest("seq")
    assert ev.action == "export" and ev.object_type == "audit" and ev.details["filters"] == {"group": "casework"}
    # The audit administrator reads on screen and takes no copy.
    assert login(cast.audit_admin).get("/audit/", {"export": "xlsx"}).status_code == 403


def test_a_typed_value_that_looks_like_a_date_is_shown_as_typed():
    """A search for "2026-02-30" exported a list: the export's audit event holds it, and the screen must still open."""
    from gonghui.core.audit_labels import format_value

    assert format_value("2026-02-30") == "2026-02-30"
    assert format_value("2026-99-99") == "2026-99-99"
    assert format_value("2026-03-05") == "2026年3月5日"
