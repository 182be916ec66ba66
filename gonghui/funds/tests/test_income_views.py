"""The income screens and API: each page opens for those who may see it, refuses the others (another county,
a grassroots officer where it is not theirs, an anonymous visitor), and writes through the services."""

import datetime
from decimal import Decimal

import pytest

from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.access import actor_for
from gonghui.funds import income, returns
from gonghui.funds.models import Allocation, DuesMonth, FundReturn, ShareTable, Voucher

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(cast, monkeypatch):
    monday_2_march_2026(monkeypatch)
    actor = actor_for(cast.officer_a)
    dues = income.dues_set(actor=actor, union=cast.grassroots_a, year=2026, month=1, wage_base="40000", members=8)
    alloc = income.allocation_declare(actor=actor, union=cast.grassroots_a, year=2026, period_kind="month",
                                      period_no=1, payroll="100000")
    ret = returns.return_receipt_record(actor=actor, payer=cast.county_a, union=cast.grassroots_a, amount="900",
                                        receipt_no="JF-77", receipt_on=datetime.date(2026, 2, 24))
    return {"dues": dues, "alloc": alloc, "ret": ret}


PAGES = ["/funds/dues/", "/funds/dues/GA/2026/", "/funds/allocations/", "/funds/returns/",
         "/funds/returns/?tab=overdue", "/funds/returns/?tab=paid", "/funds/returns/supervision/"]


def test_pages_open_in_scope(cast, login, data):
    client = login(cast.officer_a)
    for url in [*PAGES, "/funds/allocations/new/", "/funds/returns/receipt/", "/funds/shares/", "/funds/shares/new/",
                f"/funds/allocations/receive/?id={data['alloc'].pk}", f"/funds/returns/pay/?id={data['ret'].pk}"]:
        resp = client.get(url)
        assert resp.status_code == 200, url
    body = client.get("/funds/returns/").content.decode()
    assert "JF-77" in body and 'data-color="blue"' in body  # due today: blue since the receipt was recorded
    assert "JF-77" not in client.get("/funds/returns/?tab=overdue").content.decode()
    assert "东湖机械厂工会" in client.get("/funds/dues/GA/2026/").content.decode()


def test_another_county_sees_nothing_of_county_a(cast, login, data):
    client = login(cast.officer_b)
    for url in PAGES:
        resp = client.get(url)
        body = resp.content.decode()
        assert resp.status_code in (200, 404), url
        assert "东湖机械厂工会" not in body and "JF-77" not in body, url
    assert client.get("/funds/dues/GA/2026/").status_code == 404
    assert client.get(f"/funds/returns/pay/?id={data['ret'].pk}").status_code == 404
    assert client.get(f"/funds/allocations/receive/?id={data['alloc'].pk}").status_code == 404
    assert client.post(f"/funds/returns/pay/?id={data['ret'].pk}", {"paid_on": "2026-03-02"}).status_code == 404
    resp = client.get("/funds/dues/?union=GA")  # the picker finds no GA in county B: its own units, an error
    assert resp.status_code == 200 and "东湖机械厂工会" not in resp.content.decode()
    assert "GA" in resp.content.decode() and "invalid-feedback" in resp.content.decode()
    assert client.get("/api/v1/funds/returns").json()["items"] == []
    assert client.post("/api/v1/funds/returns/pay", {"id": data["ret"].pk},
                       content_type="application/json").status_code == 404
    assert FundReturn.objects.get().state == "pending"


def test_grassroots_officer_sees_its_return_but_cannot_pay_or_set_shares(cast, login, data):
    client = login(cast.grassroots_officer)
    body = client.get("/funds/returns/").content.decode()
    assert "JF-77" in body and "/funds/returns/pay/" not in body
    assert client.get(f"/funds/returns/pay/?id={data['ret'].pk}").status_code == 404
    assert client.get("/funds/shares/").status_code == 403
    assert client.post("/funds/shares/new/", {"org": "CITY"}).status_code == 403
    assert client.get("/funds/dues/GA/2026/").status_code == 200
    assert client.get("/funds/dues/CA1/2026/").status_code == 404


def test_anonymous_is_sent_to_log_in(client, data):
    for url in [*PAGES, "/funds/returns/receipt/", "/funds/shares/"]:
        resp = client.get(url)
        assert resp.status_code == 302 and resp["Location"].startswith("/login/"), url
    assert client.get("/api/v1/funds/returns").status_code in (401, 403)


def test_auditor_reads_but_does_not_write(cast, login, data):
    client = login(cast.auditor_a)
    assert client.get("/funds/returns/").status_code == 200
    assert "/funds/returns/pay/" not in client.get("/funds/returns/").content.decode()
    assert client.get("/funds/returns/receipt/").status_code == 403
    assert client.post("/funds/dues/GA/2026/", {"action": "wage", "month": 2, "wage_base": "1"}).status_code == 403


def test_dues_grid_entry_and_collection(cast, login, data):
    client = login(cast.grassroots_officer)
    resp = client.post("/funds/dues/GA/2026/", {"action": "wage", "month": 2, "wage_base": "-5"})
    assert resp.status_code == 422 and "不得为负" in resp.content.decode()
    assert client.post("/funds/dues/GA/2026/", {"action": "wage", "month": 2, "wage_base": "30000"}).status_code == 302
    assert DuesMonth.objects.get(month=2).due == Decimal("150.00")
    resp = client.post("/funds/dues/GA/2026/", {"action": "collect", "month": 1, "amount": "200",
                                                "on": "2026-03-02"})
    assert resp.status_code == 302
    assert DuesMonth.objects.get(month=1).collected == Decimal("200.00")
    body = client.get("/funds/dues/GA/2026/").content.decode()
    assert 'data-collected="200.00"' in body and "会费按工资基数的0.5%计算" in body


def test_receipt_and_pay_through_the_pages(cast, login, data):
    client = login(cast.officer_a)
    resp = client.post("/funds/returns/receipt/", {"payer": "CA", "union": "GA", "receipt_no": "JF-78",
                                                   "receipt_on": "2026-03-09", "amount": "100"})
    assert resp.status_code == 422 and "晚于今天" in resp.content.decode()
    resp = client.post("/funds/returns/receipt/", {"payer": "CA", "union": "GA", "receipt_no": "JF-78",
                                                   "receipt_on": "2026-03-02", "amount": "100"})
    assert resp.status_code == 302
    ret = FundReturn.objects.get(receipt_no="JF-78")
    assert ret.due_on == datetime.date(2026, 3, 9)
    assert client.post(f"/funds/returns/pay/?id={ret.pk}", {"paid_on": "2026-03-02"}).status_code == 302
    ret.refresh_from_db()
    assert ret.state == "paid" and Voucher.objects.filter(source_ref=f"funds.return:{ret.pk}").count() == 2


def test_shares_and_allocation_pages(cast, login, data):
    client = login(cast.city_staff)
    resp = client.post("/funds/shares/new/", {"org": "CITY", "effective_on": "2026-01-01", "grassroots": "60",
                                              "county": "20", "city": "10", "province": "5", "national": "4"})
    assert resp.status_code == 422 and "100%" in resp.content.decode()
    resp = client.post("/funds/shares/new/", {"org": "CITY", "effective_on": "2026-01-01", "grassroots": "60",
                                              "county": "20", "city": "10", "province": "5", "national": "5"})
    assert resp.status_code == 302 and ShareTable.objects.count() == 1
    resp = client.post(f"/funds/allocations/receive/?id={data['alloc'].pk}",
                       {"amount": "2000", "on": "2026-03-02", "channel": "tax", "collector": "CA"})
    assert resp.status_code == 302
    assert Allocation.objects.get().grassroots_amount == Decimal("1200.00")
    # The county that collected it is offered to record the union's receipt; the receipt form takes its part.
    client = login(cast.officer_a)
    link = f"/funds/returns/receipt/?allocation={data['alloc'].pk}"
    assert link in client.get("/funds/allocations/").content.decode()
    assert 'value="1200.00"' not in client.get(link).content.decode()  # the amount is left for the service
    assert client.post(link, {"payer": "CA", "union": "GA", "receipt_no": "JF-90", "receipt_on": "2026-03-02",
                              "allocation": data["alloc"].pk}).status_code == 302
    assert FundReturn.objects.get(receipt_no="JF-90").amount == Decimal("1200.00")
    assert link not in client.get("/funds/allocations/").content.decode()  # nothing left to claim
    resp = client.post("/funds/allocations/new/", {"union": "GA", "year": "2026", "period_kind": "month",
                                                   "period_no": "2", "payroll": "-1"})
    assert resp.status_code == 422
    resp = client.get("/funds/allocations/?export=xlsx")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")


def test_api_lists_receipt_and_pay(cast, login, data):
    client = login(cast.officer_a)
    items = client.get("/api/v1/funds/returns").json()["items"]
    assert [(r["receipt_no"], r["union"], r["due_on"]) for r in items] == [("JF-77", "GA", "2026-03-02")]
    assert client.get("/api/v1/funds/dues?union=GA").json()["items"][0]["due"] == "200.00"
    assert client.get("/api/v1/funds/allocations").json()["items"][0]["due"] == "2000.00"
    resp = client.post("/api/v1/funds/returns", {"union": "GA", "receipt_no": "JF-79", "receipt_on": "2026-03-02",
                                                 "amount": "50"}, content_type="application/json")
    assert resp.status_code == 201 and resp.json()["payer"] == "CA"
    resp = client.post("/api/v1/funds/returns", {"union": "GA", "receipt_no": "JF-80", "receipt_on": "2026-03-02",
                                                 "amount": "-50"}, content_type="application/json")
    assert resp.status_code in (400, 422)
    resp = client.post("/api/v1/funds/returns/pay", {"id": data["ret"].pk, "paid_on": "2026-03-02"},
                       content_type="application/json")
    assert resp.status_code == 200 and resp.json()["state"] == "paid" and resp.json()["late"] is False
    resp = client.post("/api/v1/funds/dues/collect", {"id": data["dues"].pk, "amount": "10", "on": "2026-03-02"},
                       content_type="application/json")
    assert resp.status_code == 200 and resp.json()["collected"] == "10.00"
