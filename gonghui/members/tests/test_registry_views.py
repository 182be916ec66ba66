import datetime

from gonghui.core.models import AuditEvent
from gonghui.core.spreadsheets import read_rows

from .factories import add_member


def test_list_filters_and_searches_by_full_id_and_phone(cast, login):
    m = add_member(
        cast.officer_a, cast.grassroots_a, name="张秀英", female=True, phone="13612345678", is_migrant_worker=True
    )
    add_member(cast.officer_a, cast.branch_a, name="李强")
    client = login(cast.grassroots_officer)
    resp = client.get("/members/")
    body = resp.content.decode()
    assert "张秀英" in body and "李强" in body and "136****5678" in body and m.person.id_number not in body
    assert "李强" not in client.get("/members/", {"category": "female"}).content.decode()
    # Full numbers are found through the POST-only box, never from an address.
    assert "张秀英" in client.post("/members/find/", {"number": m.person.id_number}).content.decode()
    assert "张秀英" in client.post("/members/find/", {"number": "136-1234-5678"}).content.decode()
    assert "张秀英" not in client.post("/members/find/", {"number": "13612345679"}).content.decode()
    assert "张秀英" not in client.post("/members/find/", {"number": "张秀"}).content.decode()
    assert "no-store" in resp["Cache-Control"]


def test_export_is_masked_and_full_numbers_need_a_second_person(cast, login):
    from gonghui.core import approvals

    m = add_member(cast.officer_a, cast.grassroots_a, name="张秀英", phone="13612345678")
    client = login(cast.officer_a)
    resp = client.get("/members/", {"export": "xlsx"})
    rows = list(read_rows(resp.content, "m.xlsx"))
    assert rows[1][0] == "张秀英" and rows[1][2] == m.person.id_number[:3] + "*" * 11 + m.person.id_number[-4:]
    resp = client.post("/members/", {"reason": ""})
    assert resp.status_code == 302 and not approvals.Approval.objects.exists()
    resp = client.post("/members/", {"reason": "报送市总会员实名库"})
    a = approvals.Approval.objects.get()
    assert resp["Location"] == f"/approvals/{a.uid}/" and not AuditEvent.objects.filter(action="personal.export")
    approvals.approval_approve(actor=cast.actor(cast.city_staff), approval=a)
    resp = client.post(f"/approvals/{a.uid}/download/")
    rows = list(read_rows(resp.content, "m.xlsx"))
    assert rows[1][2] == m.person.id_number and rows[1][3] == "13612345678"
    ev = AuditEvent.objects.get(action="personal.export")
    assert ev.details["reason"] == "报送市总会员实名库" and ev.details["rows"] == 1
    # An auditor exports masked only.
    assert login(cast.auditor_a).post("/members/", {"reason": "x"}).status_code == 403


def test_add_member_screen(cast, login):
    from .factories import resident_id

    valid = resident_id()
    wrong_check = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    client = login(cast.grassroots_officer)
    resp = client.post(
        "/members/new/",
        {"union": "GA", "name": "王磊", "doc_type": "resident_id", "id_number": wrong_check, "joined_on": "2026-01-05"},
    )
    assert resp.status_code == 200 and "id_number" in resp.context["form"].errors

    resp = client.post(
        "/members/new/",
        {
            "union": "GA",
            "name": "王磊",
            "doc_type": "resident_id",
            "id_number": resident_id(),
            "joined_on": "2026-01-05",
            "is_migrant_worker": "on",
        },
    )
    assert resp.status_code == 302


def test_detail_shows_history_and_hides_other_county_union(cast, login):
    from gonghui.core.access import actor_for
    from gonghui.members import services

    m = add_member(cast.officer_b, cast.grassroots_b, name="赵敏")
    services.member_leave(
        actor=actor_for(cast.officer_b), membership=m, left_on=datetime.date(2023, 1, 1), reason="调动"
    )
    m2 = services.member_add(
        actor=actor_for(cast.officer_a),
        union=cast.grassroots_a,
        joined_on=datetime.date(2023, 1, 2),
        person={"id_number": m.person.id_number, "name": "赵敏"},
    )
    body = login(cast.officer_a).get(f"/members/p/{m2.person.uid}/").content.decode()
    assert "东湖机械厂工会" in body and "西山水泥厂工会" not in body


def test_reveal_is_audited_and_needs_a_reason(cast, login):
    m = add_member(cast.officer_a, cast.grassroots_a, phone="13612345678")
    client = login(cast.grassroots_officer)
    url = f"/members/p/{m.person.uid}/reveal/"
    assert client.post(url, {"field": "phone", "reason": ""}).status_code == 422
    resp = client.post(url, {"field": "id_number", "reason": "办理医疗互助"})
    assert m.person.id_number in resp.content.decode() and "no-store" in resp["Cache-Control"]
    assert AuditEvent.objects.filter(action="personal.reveal", object_id=m.person.uid, outcome="success").count() == 1
    assert login(cast.officer_b).post(url, {"field": "phone", "reason": "看看"}).status_code == 404
    assert login(cast.auditor_a).post(url, {"field": "phone", "reason": "看看"}).status_code == 403


def test_leave_screen_and_permissions(cast, login):
    m = add_member(cast.officer_a, cast.grassroots_a)
    url = f"/members/p/{m.person.uid}/leave/"
    assert login(cast.officer_b).get(url).status_code == 404
    assert login(cast.auditor_a).get(url).status_code == 403
    client = login(cast.grassroots_officer)
    assert client.post(url, {"left_on": "2026-01-01", "reason": ""}).status_code == 200
    assert client.post(url, {"left_on": "2026-01-01", "reason": "退休"}).status_code == 302


def test_api_lists_and_adds_in_scope(cast, login):
    from .factories import resident_id

    add_member(cast.officer_a, cast.grassroots_a, name="张秀英")
    client = login(cast.officer_a)
    resp = client.get("/api/v1/members")
    assert [i["name"] for i in resp.json()["items"]] == ["张秀英"]
    resp = client.post(
        "/api/v1/members",
        {"union": "GA", "joined_on": "2026-01-01", "person": {"id_number": resident_id(), "name": "刘洋"}},
        content_type="application/json",
    )
    assert resp.status_code == 201 and resp.json()["id_number_masked"].count("*") == 11
    assert login(cast.officer_b).get("/api/v1/members").json()["items"] == []
    resp = login(cast.officer_b).post(
        "/api/v1/members",
        {"union": "GA", "joined_on": "2026-01-01", "person": {"id_number": resident_id(), "name": "x"}},
        content_type="application/json",
    )
    assert resp.status_code == 404
