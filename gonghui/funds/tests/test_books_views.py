"""The books pages: the vouchers list and its export, voucher entry (refusals keep the input), a voucher's page and
its reversal, the chart page, opening balances, closing, the reports, the chart upload; and who may open them."""

import datetime
import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from gonghui.core.models import AuditEvent
from gonghui.core.spreadsheets import write_xlsx
from gonghui.funds import chart
from gonghui.funds.models import Account, Book, ChartVersion, OpeningBalance, Voucher
from gonghui.funds.testing import expense, post

pytestmark = pytest.mark.django_db
BOOK = "/funds/books/GA/2026/"


def lines(*rows, date="2026-03-05", total=4):
    data = {"date": date, "form-TOTAL_FORMS": str(total), "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "60"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{i}-{key}"] = value
    return data


def xlsx_rows(resp) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(resp.content)).get_sheet_by_index(0).to_python()


def test_books_home_opens_the_actors_union_and_a_picked_one(cast, login):
    client = login(cast.grassroots_officer)
    resp = client.get("/funds/books/")
    assert resp.status_code == 302 and resp["Location"].startswith("/funds/books/GA/")
    client = login(cast.officer_a)
    assert client.get("/funds/books/?org=GA&year=2025")["Location"] == "/funds/books/GA/2025/"
    resp = client.get("/funds/books/?org=GB&year=2025")  # outside county A: the picker says so
    assert resp.status_code == 422 and "GB" in resp.content.decode()


def test_vouchers_listed_newest_first_filtered_and_exported(cast, login):
    user, ga = cast.grassroots_officer, cast.grassroots_a
    expense(user, ga, "120", summary="购买图书", date=datetime.date(2026, 1, 5))
    expense(user, ga, "3000", account="50105", summary="春节慰问品", date=datetime.date(2026, 2, 1),
            counterparty="联华超市")
    expense(user, ga, "450", account="50302", summary="会议室租赁", date=datetime.date(2026, 3, 1))
    client = login(user)
    body = client.get(BOOK).content.decode()
    assert body.index("记-0003") < body.index("记-0002") < body.index("记-0001")
    assert "春节慰问品" in body

    def numbers(query):
        page = client.get(BOOK + "?" + query).content.decode()
        return [n for n in ("记-0001", "记-0002", "记-0003") if n in page]

    assert numbers("account=501") == ["记-0001", "记-0002"]  # with its sub-accounts
    assert numbers("account=职工活动支出-节日慰问") == ["记-0002"]
    assert numbers("words=会议") == ["记-0003"]
    assert numbers("counterparty=联华") == ["记-0002"]
    assert numbers("amount_min=400&amount_max=500") == ["记-0003"]
    assert numbers("date_from=2026-01-10&date_to=2026-02-28") == ["记-0002"]
    assert numbers("source=import") == []
    resp = client.get(BOOK + "?account=不存在")
    assert "不存在" in resp.content.decode() and "invalid-feedback" in resp.content.decode()
    resp = client.get(BOOK + "?account=501&export=xlsx")
    assert resp.status_code == 200 and "filename*=UTF-8''" in resp["Content-Disposition"]
    rows = xlsx_rows(resp)
    assert rows[0][:4] == ["日期", "凭证号", "摘要", "金额"]
    assert [r[1] for r in rows[1:]] == ["记-0002", "记-0001"] and rows[1][3] == 3000
    assert AuditEvent.objects.filter(action="export", object_type="funds.voucher").exists()


def test_a_year_without_vouchers_shows_an_empty_book_and_opens_nothing(cast, login):
    resp = login(cast.grassroots_officer).get("/funds/books/GA/2024/")
    assert resp.status_code == 200 and 'id="book-empty"' in resp.content.decode()
    for page in ("accounts/", "openings/", "trial-balance/", "statement/", "ledger/?account=102", "cash-journal/",
                 "bank-journal/", "close/"):
        assert login(cast.grassroots_officer).get(f"/funds/books/GA/2024/{page}").status_code == 200, page
    assert not Book.objects.exists()


def test_entering_a_voucher_posts_it_and_shows_it(cast, login):
    client = login(cast.grassroots_officer)
    assert client.get(BOOK + "vouchers/new/").status_code == 200
    resp = client.post(BOOK + "vouchers/new/", lines(
        {"account": "50101 职工活动支出-职工教育", "summary": "职工培训", "debit": "1,200.50",
         "invoice_code": "033002300111", "invoice_number": "12345678", "counterparty": "东湖职校",
         "decision_ref": "东机工〔2026〕3号"},
        {"account": "银行存款", "summary": "职工培训", "credit": "1200.50"}))
    voucher = Voucher.objects.get()
    assert resp.status_code == 302 and resp["Location"] == BOOK + "vouchers/1/"
    first = voucher.lines.get(line_no=1)
    assert (first.account.code, first.debit, first.invoice_number, first.counterparty) == (
        "50101", Decimal("1200.50"), "12345678", "东湖职校")
    page = client.get(resp["Location"]).content.decode()
    assert "记-0001" in page and "职工培训" in page and "1200.50" in page and 'id="action-reverse"' in page
    assert 'id="voucher-attachments"' in page


def test_an_unbalanced_voucher_is_refused_in_chinese_keeping_the_input(cast, login):
    client = login(cast.grassroots_officer)
    resp = client.post(BOOK + "vouchers/new/", lines(
        {"account": "50101", "summary": "职工培训", "debit": "100"},
        {"account": "102", "summary": "职工培训", "credit": "99.99"}))
    body = resp.content.decode()
    assert resp.status_code == 422 and not Voucher.objects.exists()
    assert "借贷不平衡" in body or "不平衡" in body
    assert 'value="99.99"' in body and 'value="职工培训"' in body


@pytest.mark.parametrize("rows, date, expected", [
    ([{"account": "9999", "summary": "x", "debit": "5"}, {"account": "102", "summary": "x", "credit": "5"}],
     "2026-03-05", "9999"),
    ([{"account": "50101", "summary": "x", "debit": "abc"}, {"account": "102", "summary": "x", "credit": "5"}],
     "2026-03-05", "第 1 行"),
    ([{"account": "50101", "summary": "x", "debit": "5"}, {"account": "102", "summary": "x", "credit": "5"}],
     "2025-12-31", "2025-12-31"),
    ([{"account": "50101", "summary": "", "debit": "5"}, {"account": "102", "summary": "x", "credit": "5"}],
     "2026-03-05", "摘要"),
    ([{"account": "50101", "summary": "x", "debit": "5"}], "2026-03-05", "至少"),
])
def test_bad_voucher_input_names_what_is_wrong(cast, login, rows, date, expected):
    resp = login(cast.grassroots_officer).post(BOOK + "vouchers/new/", lines(*rows, date=date))
    assert resp.status_code == 422 and expected in resp.content.decode()
    assert not Voucher.objects.exists()


def test_more_lines_adds_rows_and_keeps_what_was_typed(cast, login):
    resp = login(cast.grassroots_officer).post(BOOK + "vouchers/new/", {
        **lines({"account": "50101", "summary": "培训", "debit": "5"}), "more": "1"})
    body = resp.content.decode()
    assert resp.status_code == 200 and body.count('class="gh-voucher-line"') == 8 and 'value="培训"' in body
    assert not Voucher.objects.exists()


def test_reversal_from_the_voucher_page(cast, login):
    v = expense(cast.grassroots_officer, cast.grassroots_a, "500")
    client = login(cast.grassroots_officer)
    resp = client.post(BOOK + "vouchers/1/reverse/", {"reason": " "})
    assert resp.status_code == 422 and "原因" in resp.content.decode()
    resp = client.post(BOOK + "vouchers/1/reverse/", {"reason": "重复报销"})
    assert resp.status_code == 302
    reversal = Voucher.objects.get(reverses=v)
    page = client.get(BOOK + "vouchers/1/").content.decode()
    assert 'id="voucher-reversed"' in page and "记-0002" in page and 'id="action-reverse"' not in page
    page = client.get(BOOK + "vouchers/2/").content.decode()
    assert 'id="voucher-reverses"' in page and "重复报销" in page and reversal.total == Decimal("-500")
    assert client.post(BOOK + "vouchers/1/reverse/", {"reason": "again"}).status_code == 422


def test_payment_source_and_reference_on_the_voucher_page(cast, login):
    from gonghui.core.access import actor_for
    from gonghui.funds import books

    books.payment_post(actor=actor_for(cast.grassroots_officer), payer=cast.grassroots_a, payee="李明", amount="300",
                       expense_account="维权支出-困难职工帮扶", reference="aid.grant:17",
                       date=datetime.date(2026, 5, 1))
    page = login(cast.auditor_a).get(BOOK + "vouchers/1/").content.decode()
    assert 'data-source="payment"' in page and "aid.grant:17" in page
    assert 'id="action-reverse"' not in page  # the auditor reads only


def test_chart_page_and_adding_a_sub_account(cast, login):
    client = login(cast.grassroots_officer)
    page = client.get(BOOK + "accounts/").content.decode()
    assert "职工活动支出-节日慰问" in page and 'id="account-add"' in page
    parent = Account.objects.get(chart__code=chart.STANDARD_CODE, path="职工活动支出-节日慰问")
    resp = client.post(BOOK + "accounts/add/", {"parent": parent.pk, "name": "春节", "code": ""})
    assert resp.status_code == 302
    assert Account.objects.filter(org=cast.grassroots_a, path="职工活动支出-节日慰问-春节").exists()
    resp = client.post(BOOK + "accounts/add/", {"parent": parent.pk, "name": "春节"})
    assert resp.status_code == 422 and "已存在" in resp.content.decode()
    resp = client.post(BOOK + "accounts/add/", {"parent": parent.pk, "name": "a-b"})
    assert resp.status_code == 422
    assert "节日慰问-春节" not in login(cast.officer_b).get("/funds/books/GB/2026/accounts/").content.decode()
    assert 'id="account-add"' not in login(cast.auditor_a).get(BOOK + "accounts/").content.decode()


def test_opening_balances_page(cast, login):
    client = login(cast.grassroots_officer)
    page = client.get(BOOK + "openings/").content.decode()
    bank = Account.objects.get(chart__code=chart.STANDARD_CODE, code="102")
    surplus = Account.objects.get(chart__code=chart.STANDARD_CODE, code="304")
    assert f'name="debit_{bank.pk}"' in page
    resp = client.post(BOOK + "openings/", {f"debit_{bank.pk}": "5000", f"credit_{surplus.pk}": "4000"})
    assert resp.status_code == 422 and "不平衡" in resp.content.decode() and 'value="4000"' in resp.content.decode()
    resp = client.post(BOOK + "openings/", {f"debit_{bank.pk}": "abc"})
    assert resp.status_code == 422 and "abc" in resp.content.decode()
    resp = client.post(BOOK + "openings/", {f"debit_{bank.pk}": "5000", f"credit_{surplus.pk}": "5000"})
    assert resp.status_code == 302 and OpeningBalance.objects.count() == 2
    assert login(cast.auditor_a).post(BOOK + "openings/", {f"debit_{bank.pk}": "1"}).status_code == 403


def test_closing_the_year_from_the_page(cast, login):
    post(cast.grassroots_officer, cast.grassroots_a, lines=[("102", "会费", "900", "0"), ("401", "会费", "0", "900")])
    client = login(cast.grassroots_officer)
    page = client.get(BOOK + "close/").content.decode()
    assert 'id="close-form"' in page and "900.00" in page
    resp = client.post(BOOK + "close/confirm/")
    assert resp.status_code == 302 and resp["Location"] == "/funds/books/GA/2027/openings/"
    page = client.get("/funds/books/GA/2027/openings/").content.decode()
    assert 'id="openings-carried"' in page and "900.00" in page
    assert client.post(BOOK + "close/confirm/").status_code == 422
    assert 'href="/funds/books/GA/2026/vouchers/new/"' not in client.get(BOOK).content.decode()


def test_reports_render_and_export(cast, login):
    post(cast.grassroots_officer, cast.grassroots_a, date=datetime.date(2026, 1, 3),
         lines=[("102", "会费", "900", "0"), ("401", "会费", "0", "900")])
    expense(cast.grassroots_officer, cast.grassroots_a, "100", paid_from="101", date=datetime.date(2026, 2, 3))
    client = login(cast.auditor_a)
    page = client.get(BOOK + "trial-balance/").content.decode()
    assert 'id="tb-balanced"' in page and "会费收入" in page
    rows = xlsx_rows(client.get(BOOK + "trial-balance/?export=xlsx"))
    assert rows[1][:2] == ["科目编码", "科目名称"] and rows[-1][1] == "合计" and rows[-1][4] == rows[-1][5] == 1000
    page = client.get(BOOK + "statement/?date_from=2026-01-01&date_to=2026-01-31").content.decode()
    assert 'id="income-total">900.00' in page and 'id="expense-total">0.00' in page
    assert xlsx_rows(client.get(BOOK + "statement/?export=xlsx"))[1] == ["类别", "科目编码", "科目名称", "金额"]
    page = client.get(BOOK + "ledger/?account=102").content.decode()
    assert 'data-balance="900.00"' in page and 'data-kind="month"' in page and "本月合计" in page
    assert 'id="ledger-not-found"' in client.get(BOOK + "ledger/?account=9999").content.decode()
    page = client.get(BOOK + "cash-journal/").content.decode()
    assert "记-0002" in page and "记-0001" not in page
    page = client.get(BOOK + "bank-journal/").content.decode()
    assert "记-0001" in page
    rows = xlsx_rows(client.get(BOOK + "bank-journal/?export=xlsx"))
    assert rows[1][0] == "日期" and rows[-1][-1] == 900 and [r[3] for r in rows[2:]] == [
        "期初余额", "会费", "本月合计", "本年累计", "本期合计及期末余额"]
    resp = client.get(BOOK + "trial-balance/?date_from=2025-01-01")
    assert "2025-01-01" in resp.content.decode() and "invalid-feedback" in resp.content.decode()


def test_chart_upload_page(cast, login):
    from .test_books_chart_import import revision_2021

    client = login(cast.city_staff)
    assert client.get("/funds/charts/import/").status_code == 200
    bad = write_xlsx(["科目编码", "科目名称", "类别"], [("101", "库存现金", "资产"), ("102", "银行存款", "费用")])
    resp = client.post("/funds/charts/import/", {"name": "修订", "effective_year": "2022",
                                                 "file": _upload(bad)})
    assert resp.status_code == 422 and 'id="chart-problems"' in resp.content.decode()
    report = client.get("/funds/charts/import/report/")
    assert report.status_code == 200 and xlsx_rows(report)
    resp = client.post("/funds/charts/import/", {"name": "财会〔2021〕7号", "file": _upload(revision_2021())})
    assert resp.status_code == 302
    assert ChartVersion.objects.filter(loaded_by=cast.city, effective_year=2021).exists()
    assert "财会〔2021〕7号" in client.get("/funds/charts/import/").content.decode()
    assert login(cast.officer_a).get("/funds/charts/import/").status_code == 200  # county staff load for theirs
    assert login(cast.grassroots_officer).get("/funds/charts/import/").status_code == 403
    assert login(cast.auditor_a).post("/funds/charts/import/", {"name": "x"}).status_code == 403


def _upload(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("科目表.xlsx", content)


PAGES = ["", "vouchers/new/", "vouchers/1/", "accounts/", "openings/", "close/", "trial-balance/", "statement/",
         "ledger/?account=102", "cash-journal/", "bank-journal/"]
POSTS = ["vouchers/new/", "vouchers/1/reverse/", "accounts/add/", "openings/", "close/confirm/"]


def test_another_county_a_grassroots_officer_of_another_union_and_anonymous_are_refused(cast, login):
    from django.test import Client

    client = Client()
    expense(cast.grassroots_officer, cast.grassroots_a, "500")
    for page in PAGES:
        assert client.get(BOOK + page).status_code == 302, page  # to the login page
        assert login(cast.officer_b).get(BOOK + page).status_code == 404, page
    for page in POSTS:
        assert client.post(BOOK + page, {"reason": "x"}).status_code == 302, page
        assert login(cast.officer_b).post(BOOK + page, {"reason": "x"}).status_code == 404, page
    expense(cast.officer_b, cast.grassroots_b, "70")
    other = "/funds/books/GB/2026/"
    for page in PAGES:
        assert login(cast.grassroots_officer).get(other + page).status_code == 404, page
    for page in POSTS:
        assert login(cast.grassroots_officer).post(other + page, {"reason": "x"}).status_code == 404, page
    # Above the union is outside a grassroots officer's scope too.
    assert login(cast.grassroots_officer).get("/funds/books/CA/2026/").status_code == 404
    assert login(cast.system_admin).get(BOOK).status_code == 403
    assert login(cast.auditor_a).get(BOOK + "vouchers/new/").status_code == 403
    assert login(cast.auditor_a).post(BOOK + "vouchers/1/reverse/", {"reason": "x"}).status_code == 403
    assert Voucher.objects.filter(reverses__isnull=False).count() == 0


def test_the_union_page_shows_its_funds(cast, login):
    from django.utils import timezone

    today = timezone.localdate()
    post(cast.grassroots_officer, cast.grassroots_a, date=today,
         lines=[("102", "会费", "900", "0"), ("401", "会费", "0", "900")])
    page = login(cast.officer_a).get("/orgs/GA/").content.decode()
    assert 'id="union-funds"' in page and "900.00" in page
    assert f"/funds/books/GA/{today.year}/" in page
