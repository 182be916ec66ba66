"""The budget pages, the API and the public board over HTTP: what each role may open and do, and bad input."""

import datetime
from decimal import Decimal

import pytest

from gonghui.core.access import actor_for
from gonghui.funds import audits, budgets, decisions
from gonghui.funds.models import Budget, BudgetAdjustment, BudgetLine, Decision, Disclosure, Supplier
from gonghui.funds.testing import expense, post

pytestmark = pytest.mark.django_db

D = datetime.date


def _budget(cast, state="draft"):
    officer = actor_for(cast.grassroots_officer)
    budget = budgets.budget_create(actor=officer, org=cast.grassroots_a, year=2026)
    budgets.budget_line_set(actor=officer, budget=budget, account="50101", amount="10000")
    if state in ("reviewed", "approved"):
        budgets.budget_review(actor=actor_for(cast.auditor_a), budget=budget, opinion="同意")
    if state == "approved":
        decision = decisions.decision_record(actor=officer, org=cast.grassroots_a, kind="committee",
                                             date=D(2026, 1, 5), reference="工发〔2026〕1号", title="预算",
                                             items=[])
        budgets.budget_approve(actor=officer, budget=budget, decision=decision)
    budget.refresh_from_db()
    return budget


PAGES = ["/funds/budgets/", "/funds/decisions/", "/funds/large-expenses/", "/funds/audits/",
         "/funds/audits/overdue/", "/funds/suppliers/", "/funds/final/"]


def test_every_page_opens_for_the_roles_reading_funds(cast, login):
    _budget(cast, "approved")
    audits.audit_record(actor=actor_for(cast.auditor_a), org=cast.grassroots_a, year=2025, auditor="经审会",
                        started_on=D(2026, 3, 1), ended_on=D(2026, 3, 2), vouchers_checked=3, conclusion="好")
    for user in (cast.officer_a, cast.grassroots_officer, cast.auditor_a, cast.city_staff):
        client = login(user)
        for url in [*PAGES, "/funds/budgets/GA/2026/", "/funds/final/GA/2026/", "/funds/audits/GA/2025/"]:
            resp = client.get(url)
            assert resp.status_code == 200, (user, url, resp.status_code)
            assert "东湖机械厂工会" in resp.content.decode() or url in PAGES


def test_the_budget_page_shows_execution_and_exports(cast, login):
    _budget(cast, "approved")
    expense(cast.grassroots_officer, cast.grassroots_a, "1234.50", account="50101", date=D(2026, 2, 1))
    client = login(cast.officer_a)
    resp = client.get("/funds/budgets/GA/2026/?on=2026-03-01")
    html = resp.content.decode()
    assert 'id="total-actual">1234.50' in html and 'id="total-budget">10000.00' in html
    resp = client.get("/funds/budgets/GA/2026/?on=2026-03-01&export=xlsx")
    assert resp.status_code == 200 and resp["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "filename*=UTF-8''" in resp["Content-Disposition"]


def test_the_budget_workflow_through_the_pages(cast, login):
    client = login(cast.grassroots_officer)
    resp = client.post("/funds/budgets/new/", {"new-union": "GA", "new-year": "2026"})
    assert resp.status_code == 302 and resp["Location"] == "/funds/budgets/GA/2026/"
    resp = client.post("/funds/budgets/GA/2026/line/", {"line-account": "职工活动支出-文体活动", "line-amount": "8000"})
    assert resp.status_code == 302
    # Bad input: an income account.
    resp = client.post("/funds/budgets/GA/2026/line/", {"line-account": "会费收入", "line-amount": "8000"})
    assert resp.status_code == 400 and "不是支出科目" in resp.content.decode()
    assert BudgetLine.objects.count() == 1
    # The officer cannot review; the auditor can.
    assert client.post("/funds/budgets/GA/2026/review/", {"review-outcome": "pass",
                                                           "review-opinion": "x"}).status_code == 403
    resp = login(cast.auditor_a).post("/funds/budgets/GA/2026/review/", {"review-outcome": "pass",
                                                                         "review-opinion": "同意"})
    assert resp.status_code == 302 and Budget.objects.get().state == "reviewed"
    client = login(cast.grassroots_officer)
    resp = client.post("/funds/decisions/new/", {"new-union": "GA", "new-kind": "committee",
                                                 "new-date": "2026-01-08", "new-reference": "工发〔2026〕2号",
                                                 "new-title": "审议年度预算", "new-items": "年度预算 80000"})
    assert resp.status_code == 302
    assert Decision.objects.get().items.get().amount == Decimal("80000.00")
    resp = client.post("/funds/budgets/GA/2026/approve/", {"approve-decision": "工发〔2026〕2号"})
    assert resp.status_code == 302 and Budget.objects.get().state == "approved"
    # Adjustment without a reason: refused, nothing changes.
    resp = client.post("/funds/budgets/GA/2026/adjust/", {"adjust-account": "50102", "adjust-change": "500",
                                                          "adjust-reason": "", "adjust-decision": "工发〔2026〕2号"})
    assert resp.status_code == 400 and "调整原因" in resp.content.decode()
    resp = client.post("/funds/budgets/GA/2026/adjust/", {
        "adjust-account": "50102", "adjust-change": "500", "adjust-reason": "增加活动",
        "adjust-decision": "工发〔2026〕2号"})
    assert resp.status_code == 302
    assert BudgetLine.objects.get().amount == Decimal("8500.00") and BudgetAdjustment.objects.count() == 1


def test_a_duplicate_decision_reference_is_refused_on_the_page(cast, login):
    client = login(cast.grassroots_officer)
    data = {"new-union": "GA", "new-kind": "committee", "new-date": "2026-01-08", "new-reference": "工发〔2026〕2号",
            "new-title": "t"}
    assert client.post("/funds/decisions/new/", data).status_code == 302
    resp = client.post("/funds/decisions/new/", data)
    assert resp.status_code == 400 and "工发〔2026〕2号" in resp.content.decode()
    assert Decision.objects.count() == 1


def test_other_county_grassroots_and_anonymous_are_refused(cast, login, client):
    _budget(cast, "approved")
    audits.audit_record(actor=actor_for(cast.auditor_a), org=cast.grassroots_a, year=2025, auditor="经审会",
                        started_on=D(2026, 3, 1), ended_on=D(2026, 3, 2), vouchers_checked=3, conclusion="好")
    objects = ["/funds/budgets/GA/2026/", "/funds/final/GA/2026/", "/funds/audits/GA/2025/"]
    posts = {"/funds/budgets/GA/2026/adjust/": {"adjust-account": "50101", "adjust-change": "1",
                                                "adjust-reason": "x", "adjust-decision": "工发〔2026〕1号"},
             "/funds/final/GA/2026/publish/": {}, "/funds/final/GA/2026/build/": {},
             "/funds/audits/GA/2025/findings/": {"finding-text": "x", "finding-due_on": "2026-05-01"}}
    b = login(cast.officer_b)
    for url in objects:
        assert b.get(url).status_code == 404, url
    for url, data in posts.items():
        assert b.post(url, data).status_code == 404, url
    for url in PAGES:
        assert "东湖机械厂" not in b.get(url).content.decode(), url
    client.logout()
    for url in [*objects, *PAGES]:
        resp = client.get(url)
        assert resp.status_code == 302 and resp["Location"].startswith("/login/"), url
    # The grassroots officer sees their own union only, and cannot record audits or keep suppliers.
    g = login(cast.grassroots_officer)
    assert g.get("/funds/budgets/GA/2026/").status_code == 200
    assert g.get("/funds/final/CA/2026/").status_code == 404
    assert g.post("/funds/audits/GA/2025/findings/", {"finding-text": "x",
                                                       "finding-due_on": "2026-05-01"}).status_code == 403
    assert g.post("/funds/suppliers/add/", {"add-federation": "GA", "add-name": "x"}).status_code == 403
    assert g.post("/funds/budgets/GA/2026/adjust/", posts["/funds/budgets/GA/2026/adjust/"]).status_code == 302
    assert BudgetLine.objects.get().amount == Decimal("10001.00")
    assert not Supplier.objects.exists()


def test_the_large_expense_page_marks_decision_unverified_and_none(cast, login):
    u = cast.grassroots_officer
    expense(u, cast.grassroots_a, "30000", summary="春节慰问品", decision_ref="工发〔2026〕5号")
    expense(u, cast.grassroots_a, "25000", summary="职工疗休养", decision_ref="工发〔2026〕8号")
    expense(u, cast.grassroots_a, "21000", summary="购置电脑")
    expense(u, cast.grassroots_a, "19999.99", summary="培训费")
    decisions.decision_record(actor=actor_for(u), org=cast.grassroots_a, kind="committee", date=D(2026, 1, 5),
                              reference="工发〔2026〕5号", title="春节慰问", items=[])
    html = login(cast.officer_a).get("/funds/large-expenses/?year=2026").content.decode()
    assert "工发〔2026〕5号 春节慰问" in html and "未核实（工发〔2026〕8号）" in html and "无集体决策" in html
    assert "培训费" not in html
    html = login(cast.officer_a).get("/funds/large-expenses/?year=2026&state=none").content.decode()
    assert "购置电脑" in html and "春节慰问品" not in html


def test_findings_progress_and_overdue(cast, login):
    record = audits.audit_record(actor=actor_for(cast.auditor_a), org=cast.grassroots_a, year=2024,
                                 auditor="经审会", started_on=D(2025, 3, 1), ended_on=D(2025, 3, 2),
                                 vouchers_checked=3, conclusion="好")
    f = audits.finding_add(actor=actor_for(cast.auditor_a), audit_=record, text="缺少发票", due_on=D(2025, 6, 30))
    assert "缺少发票" in login(cast.officer_a).get("/funds/audits/overdue/").content.decode()
    client = login(cast.grassroots_officer)
    resp = client.post("/funds/audits/GA/2024/findings/progress/", {"finding": f.pk, "state": "rectified",
                                                                     "note": ""})
    assert resp.status_code == 400 and "整改" in resp.content.decode()
    resp = client.post("/funds/audits/GA/2024/findings/progress/", {"finding": f.pk, "state": "rectified",
                                                                     "note": "已补齐", "on": "2025-06-01"})
    assert resp.status_code == 302
    assert "缺少发票" not in login(cast.officer_a).get("/funds/audits/overdue/").content.decode()


def test_suppliers_on_the_page(cast, login):
    client = login(cast.officer_a)
    resp = client.post("/funds/suppliers/add/", {"add-federation": "CA", "add-name": "东湖办公用品公司"})
    assert resp.status_code == 302
    s = Supplier.objects.get()
    assert client.post("/funds/suppliers/deactivate/", {"supplier": s.pk}).status_code == 302
    assert not Supplier.objects.get().active
    assert login(cast.officer_b).post("/funds/suppliers/deactivate/", {"supplier": s.pk}).status_code == 404


def _published(cast):
    u = cast.grassroots_officer
    post(u, cast.grassroots_a, date=D(2025, 3, 1), lines=[("102", "会费", "9000", "0"), ("401", "会费", "0", "9000")])
    expense(u, cast.grassroots_a, "1500", account="行政支出-公务接待费", date=D(2025, 4, 1), summary="接待王芳一行")
    return budgets.disclosure_publish(actor=actor_for(u), org=cast.grassroots_a, year=2025)


def test_the_public_board_shows_published_years_only(cast, client, login):
    _published(cast)
    expense(cast.grassroots_officer, cast.grassroots_a, "777", account="50101", date=D(2026, 2, 1))
    html = client.get("/disclosure/GA/").content.decode()
    assert 'data-year="2025"' in html and 'data-year="2026"' not in html
    assert 'data-total="three_public">1500.00' in html and "会费收入" in html
    assert "王芳" not in html  # summaries only: no line, no person
    assert client.get("/disclosure/GB/").status_code == 200
    assert "board-empty" in client.get("/disclosure/GB/").content.decode()
    assert client.get("/disclosure/NOPE/").status_code == 404
    assert "东湖机械厂工会" in client.get("/disclosure/?q=东湖机械").content.decode()
    # Publishing goes through the staff page, with funds.write in scope.
    assert login(cast.officer_b).post("/funds/final/GA/2025/withdraw/").status_code == 404
    assert login(cast.auditor_a).post("/funds/final/GA/2025/withdraw/").status_code == 403
    assert login(cast.grassroots_officer).post("/funds/final/GA/2025/withdraw/").status_code == 302
    assert not Disclosure.objects.exists()


def test_the_api(cast, login):
    _budget(cast, "approved")
    expense(cast.grassroots_officer, cast.grassroots_a, "300", account="50101", date=D(2026, 2, 1))
    client = login(cast.officer_a)
    data = client.get("/api/v1/funds/budgets/GA/2026?on=2026-12-31").json()
    assert data["state"] == "approved" and data["decision"] == "工发〔2026〕1号"
    assert data["lines"] == [{"account": "职工活动支出-职工教育", "budget": "10000.00", "actual": "300.00",
                              "remaining": "9700.00", "percent": "3.0"}]
    assert client.get("/api/v1/funds/budgets?year=2026").json()["items"][0]["union"] == "GA"
    resp = client.post("/api/v1/funds/budgets/GA/2026/adjustments", {"account": "50101", "change": "-1000",
                                                                    "reason": "压减", "decision": "工发〔2026〕1号"},
                       content_type="application/json")
    assert resp.status_code == 200 and resp.json()["lines"][0]["budget"] == "9000.00"
    resp = client.post("/api/v1/funds/budgets/GA/2026/adjustments", {"account": "401", "change": "10",
                                                                    "reason": "x", "decision": "工发〔2026〕1号"},
                       content_type="application/json")
    assert resp.status_code == 422 and "不是支出科目" in str(resp.json()["detail"])
    b = login(cast.officer_b)
    assert b.get("/api/v1/funds/budgets/GA/2026").status_code == 404
    assert b.get("/api/v1/funds/budgets").json()["items"] == []
    assert b.get("/api/v1/funds/decisions?org=GA").status_code == 404


def test_supplier_import_on_the_page(cast, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .test_budget_audits import _xlsx

    client = login(cast.officer_a)
    bad = _xlsx([["供应商名称", "统一社会信用代码"], ["甲公司", "123"]])
    resp = client.post("/funds/suppliers/import/", {"import-federation": "CA",
                                                    "import-file": SimpleUploadedFile("名录.xlsx", bad)})
    assert resp.status_code == 400 and "第2行：统一社会信用代码" in resp.content.decode()
    assert not Supplier.objects.exists()
    report = client.get("/funds/suppliers/import/report/")
    assert report.status_code == 200 and report["Content-Type"].startswith("application/vnd.openxmlformats")
    from gonghui.core.spreadsheets import read_rows

    rows = list(read_rows(report.content, "report.xlsx"))
    assert rows[0][:3] == ["行号", "问题", "供应商名称"] and rows[1][0] in (2, "2") and "甲公司" in rows[1]
    good = _xlsx([["供应商名称"], ["甲公司"], ["乙公司"]])
    resp = client.post("/funds/suppliers/import/", {"import-federation": "CA",
                                                    "import-file": SimpleUploadedFile("名录.xlsx", good)})
    assert resp.status_code == 302 and Supplier.objects.filter(org=cast.county_a, active=True).count() == 2
    assert login(cast.grassroots_officer).post("/funds/suppliers/import/", {
        "import-federation": "CA", "import-file": SimpleUploadedFile("名录.xlsx", good)}).status_code == 403
    assert login(cast.officer_b).get("/funds/suppliers/import/report/").status_code == 404


def test_a_duplicate_decision_through_the_api(cast, login):
    client = login(cast.grassroots_officer)
    body = {"union": "GA", "kind": "committee", "date": "2026-01-08", "reference": "工发〔2026〕2号", "title": "预算",
            "items": [{"subject": "年度预算", "amount": "80000"}]}
    resp = client.post("/api/v1/funds/decisions", body, content_type="application/json")
    assert resp.status_code == 201 and resp.json()["items"] == [{"subject": "年度预算", "amount": "80000.00"}]
    resp = client.post("/api/v1/funds/decisions", body, content_type="application/json")
    assert resp.status_code == 422 and resp.json()["detail"] == [
        {"field": "reference", "message": "东湖机械厂工会已有文号为工发〔2026〕2号的决策。"}]
    assert login(cast.officer_b).post("/api/v1/funds/decisions", body,
                                      content_type="application/json").status_code == 404
    assert Decision.objects.count() == 1
