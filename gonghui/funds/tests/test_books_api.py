"""The books under /api/v1/funds/: books, vouchers, a voucher, posting, reversing, trial balance, accounts; scoped."""

import datetime

import pytest
from django.test import Client

from gonghui.funds.models import Voucher
from gonghui.funds.testing import expense, post

pytestmark = pytest.mark.django_db
API = "/api/v1/funds"


def send(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


VOUCHER = {"date": "2026-03-05", "lines": [
    {"account": "50101", "summary": "职工培训", "debit": "1200.50", "invoice_code": "033002300111",
     "invoice_number": "12345678", "counterparty": "东湖职校"},
    {"account": "银行存款", "summary": "职工培训", "credit": "1200.50"}]}


def test_post_list_read_reverse_a_voucher(cast, login):
    client = login(cast.grassroots_officer)
    r = send(client, f"{API}/books/GA/2026/vouchers", VOUCHER)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["display_number"] == "记-0001" and body["total"] == "1200.50" and body["created_by"] == "grassroots_a"
    assert [ln["account"] for ln in body["lines"]] == ["职工活动支出-职工教育", "银行存款"]
    assert body["lines"][0]["invoice_number"] == "12345678"
    expense(cast.grassroots_officer, cast.grassroots_a, "300", account="50302", summary="会议费",
            date=datetime.date(2026, 4, 1))
    r = client.get(f"{API}/books/GA/2026/vouchers")
    assert [v["number"] for v in r.json()["items"]] == [2, 1] and r.json()["count"] == 2
    assert [v["number"] for v in client.get(f"{API}/books/GA/2026/vouchers?account=501").json()["items"]] == [1]
    assert [v["number"] for v in client.get(f"{API}/books/GA/2026/vouchers?words=会议").json()["items"]] == [2]
    assert client.get(f"{API}/books/GA/2026/vouchers?account=nope").status_code == 422
    assert client.get(f"{API}/books/GA/2025/vouchers").json()["items"] == []
    r = send(client, f"{API}/books/GA/2026/vouchers/1/reverse", {"reason": "重复报销"})
    assert r.status_code == 201 and r.json()["reverses"] == "记-0001" and r.json()["total"] == "-1200.50"
    assert client.get(f"{API}/books/GA/2026/vouchers/1").json()["reversed_by"] == "记-0003"
    assert send(client, f"{API}/books/GA/2026/vouchers/1/reverse", {"reason": "again"}).status_code == 422
    books_ = client.get(f"{API}/books").json()["items"]
    assert [(b["org"], b["year"], b["state"]) for b in books_] == [("GA", 2026, "open")]


def test_refused_vouchers_name_the_problem(cast, login):
    client = login(cast.grassroots_officer)
    unbalanced = {**VOUCHER, "lines": [{**VOUCHER["lines"][0]}, {**VOUCHER["lines"][1], "credit": "1200"}]}
    r = send(client, f"{API}/books/GA/2026/vouchers", unbalanced)
    assert r.status_code == 422 and "不平衡" in str(r.json())
    r = send(client, f"{API}/books/GA/2026/vouchers", {**VOUCHER, "date": "2025-03-05"})
    assert r.status_code == 422 and "2025-03-05" in str(r.json())
    unknown = {**VOUCHER, "lines": [{**VOUCHER["lines"][0], "account": "9999"}, VOUCHER["lines"][1]]}
    r = send(client, f"{API}/books/GA/2026/vouchers", unknown)
    assert r.status_code == 422 and "9999" in str(r.json())
    assert send(client, f"{API}/books/GA/2026/vouchers", {"date": "x", "lines": []}).status_code == 422
    assert not Voucher.objects.exists()


def test_trial_balance_and_accounts(cast, login):
    post(cast.grassroots_officer, cast.grassroots_a, lines=[("102", "会费", "900", "0"), ("401", "会费", "0", "900")])
    client = login(cast.auditor_a)
    tb = client.get(f"{API}/books/GA/2026/trial-balance").json()
    assert tb["balanced"] is True and tb["totals"]["debit"] == tb["totals"]["credit"] == "900.00"
    assert {r["account"] for r in tb["rows"]} == {"银行存款", "会费收入"}
    accounts = client.get(f"{API}/books/GA/2026/accounts").json()
    assert accounts[0]["code"] == "101" and any(a["path"] == "职工活动支出-节日慰问" for a in accounts)
    assert send(client, f"{API}/books/GA/2026/vouchers", VOUCHER).status_code == 403  # the auditor reads only


def test_outside_the_scope_is_a_404_and_anonymous_is_refused(cast, login):
    expense(cast.grassroots_officer, cast.grassroots_a, "500")
    urls = [f"{API}/books?org=GA", f"{API}/books/GA/2026/vouchers", f"{API}/books/GA/2026/vouchers/1",
            f"{API}/books/GA/2026/trial-balance", f"{API}/books/GA/2026/accounts"]
    anonymous = Client()
    for url in urls:
        assert anonymous.get(url).status_code == 401, url
        assert login(cast.officer_b).get(url).status_code == 404, url
    assert send(login(cast.officer_b), f"{API}/books/GA/2026/vouchers", VOUCHER).status_code == 404
    assert send(login(cast.officer_b), f"{API}/books/GA/2026/vouchers/1/reverse", {"reason": "x"}).status_code == 404
    expense(cast.officer_b, cast.grassroots_b, "70")
    grassroots = login(cast.grassroots_officer)
    assert grassroots.get(f"{API}/books/GB/2026/vouchers/1").status_code == 404
    assert send(grassroots, f"{API}/books/GB/2026/vouchers", VOUCHER).status_code == 404
    assert [b["org"] for b in grassroots.get(f"{API}/books").json()["items"]] == ["GA"]
    assert Voucher.objects.count() == 2
