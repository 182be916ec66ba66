"""Issue 12's "Done when", end to end through the commands other tools call: two unions import their year from
用友-style exports (title rows, 合计 rows, Excel dates, a 预算 sheet), the federation's staff scan the city, and every
built-in rule fires on the case built for it and stays silent on its near miss:

- duplicate_invoice: the same code and number in two unions, and a 20-digit e-invoice number without a code, fire;
  the same number under another code does not;
- split_purchase: three purchases under 20,000 from one shop within 7 days, together 21,000, fire; two that together
  pass 20,000 but 7 days apart (8 calendar days) do not;
- large_without_decision: 25,000 without a decision fires; 19,999.99 without one, and 30,000 whose reference matches
  no recorded decision (shown as unverified), do not;
- banned_item: 购物卡 in an expense fires; 红包 in an income line does not;
- cash_limit: 1,200 in cash fires; exactly 1,000 does not;
- holiday_gift_cap: 2,300 of gifts for one member passes the default 2,000 cap at the second line; 4,000 for two
  members is exactly at the cap and does not;
- over_budget, unbudgeted, central_purchase: the training line that passes its 5,000 budget line, travel with no
  budget line, printing paper from a shop off the central purchasing list fire; the line within budget, and paper
  from the listed supplier, do not;
- late_return: a return paid 3 working days late fires (named by its receipt); one paid on its due day does not.
"""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from gonghui.core.access import actor_for
from gonghui.core.identity import id_check_char
from gonghui.funds import returns
from gonghui.funds.audits import supplier_add
from gonghui.funds.models import FundReturn
from gonghui.funds.tests.journal_files import YONYOU_HEADER, serial, xlsx
from gonghui.members.services import member_add

pytestmark = pytest.mark.django_db
D = datetime.date


def _id(n: int) -> str:
    first17 = f"33010219880315{n:03d}"
    return first17 + id_check_char(first17)


def _journal(entries: list[tuple], budget: list[tuple] | None = None) -> tuple[bytes, dict[str, str]]:
    """A 用友-style workbook of two-line vouchers (date, account code, account name, summary, amount, paid from,
    counterparty, invoice code, invoice number, decision, tag), numbered in date order; returns the file and
    {tag: voucher number}. An income voucher is given with a negative amount (bank debited, the account credited)."""
    rows, numbers = [], {}
    for n, (date, code, name, summary, amount, paid_from, party, inv_code, inv_no, decision, tag) in enumerate(
            sorted(entries, key=lambda e: e[0]), 1):
        number = f"记-{n:04d}"
        if tag:
            numbers[tag] = number
        money = f"{abs(amount):,.2f}"
        other = {"101": "库存现金", "102": "银行存款"}[paid_from]
        if amount > 0:
            rows.append([serial(date), number, summary, code, name, money, "", party, inv_code, inv_no, decision, 1])
            rows.append([serial(date), number, summary, paid_from, other, "", money, party, "", "", "", ""])
        else:
            rows.append([serial(date), number, summary, paid_from, other, money, "", party, "", "", "", ""])
            rows.append([serial(date), number, summary, code, name, "", money, party, "", "", "", ""])
    rows.append(["", "", "本年累计", "", "", "", "", "", "", "", "", ""])
    sheets = {"凭证": [["序时账"], ["核算单位：基层工会", "", "2026年度"], YONYOU_HEADER, *rows]}
    if budget:
        sheets["预算"] = [["科目名称", "预算金额"], *[[name, amount] for name, amount in budget]]
    return xlsx(sheets), numbers


GA_ENTRIES = [
    (D(2026, 1, 15), "401", "会费收入", "收到1月会费", -20000, "102", "", "", "", "", ""),
    (D(2026, 1, 20), "50105", "职工活动支出-节日慰问", "春节慰问品", 2000, "102", "临江超市", "", "", "", ""),
    (D(2026, 9, 20), "50105", "职工活动支出-节日慰问", "中秋慰问品", 2000, "102", "临江超市", "", "", "", ""),
    (D(2026, 3, 2), "50102", "职工活动支出-文体活动", "球赛服装", 800, "102", "临江体育用品店",
     "033001900111", "00012345", "", "dup_code"),
    (D(2026, 3, 3), "50102", "职工活动支出-文体活动", "羽毛球", 600, "102", "临江体育用品店",
     "033001900222", "00054321", "", ""),
    (D(2026, 3, 5), "50102", "职工活动支出-文体活动", "奖杯", 300, "102", "临江体育用品店",
     "", "26332000000123456789", "", "dup_e"),
    (D(2026, 3, 9), "50102", "职工活动支出-文体活动", "运动会器材", 8000, "102", "临江文体用品商店", "", "", "",
     "split1"),
    (D(2026, 3, 11), "50102", "职工活动支出-文体活动", "运动会器材", 7000, "102", "临江文体用品商店", "", "", "",
     "split2"),
    (D(2026, 3, 15), "50102", "职工活动支出-文体活动", "运动会器材", 6000, "102", "临江文体用品商店", "", "", "",
     "split3"),
    (D(2026, 4, 1), "50102", "职工活动支出-文体活动", "宣传册印刷", 12000, "102", "临江印务公司", "", "", "", ""),
    (D(2026, 4, 8), "50102", "职工活动支出-文体活动", "宣传册印刷", 9000, "102", "临江印务公司", "", "", "", ""),
    (D(2026, 5, 6), "50102", "职工活动支出-文体活动", "文艺汇演场租", 25000, "102", "临江大剧院", "", "", "",
     "large"),
    (D(2026, 5, 7), "50102", "职工活动支出-文体活动", "文艺汇演演出", Decimal("19999.99"), "102", "临江歌舞团",
     "", "", "", ""),
    (D(2026, 5, 8), "50102", "职工活动支出-文体活动", "职工运动会", 30000, "102", "临江体育中心", "", "",
     "厂工〔2026〕9号", ""),
    (D(2026, 6, 1), "50104", "职工活动支出-职工集体福利", "购买购物卡发放职工", 500, "102", "临江商场", "", "", "",
     "banned"),
    (D(2026, 6, 2), "408", "其他收入", "收到红包活动赞助", -3000, "102", "临江银行", "", "", "", ""),
    (D(2026, 6, 3), "50102", "职工活动支出-文体活动", "文艺汇演道具", 1200, "101", "临江道具店", "", "", "", "cash"),
    (D(2026, 6, 4), "50102", "职工活动支出-文体活动", "文艺汇演道具", 1000, "101", "临江道具店", "", "", "", ""),
    (D(2026, 7, 1), "50301", "业务支出-培训", "工会干部培训", 3000, "102", "临江培训中心", "", "", "", ""),
    (D(2026, 7, 15), "50301", "业务支出-培训", "工会干部培训", 2500, "102", "临江培训中心", "", "", "", "over"),
    (D(2026, 8, 3), "50405", "行政支出-差旅费", "参加省总会议差旅", 1500, "102", "临江旅行社", "", "", "",
     "unbudgeted"),
    (D(2026, 8, 10), "50401", "行政支出-办公费", "采购打印纸", 900, "102", "随便文具店", "", "", "", "central"),
    (D(2026, 8, 12), "50401", "行政支出-办公费", "采购打印纸", 800, "102", "临江办公用品公司", "", "", "", ""),
]
GA_BUDGET = [("职工活动支出", 500000), ("业务支出", 50000), ("业务支出-培训", 5000), ("维权支出", 50000),
             ("行政支出-办公费", 10000)]
GB_ENTRIES = [
    (D(2026, 1, 25), "50105", "职工活动支出-节日慰问", "春节慰问品", 1500, "102", "西山超市", "", "", "", ""),
    (D(2026, 9, 25), "50105", "职工活动支出-节日慰问", "中秋慰问品", 800, "102", "西山超市", "", "", "", "gift"),
    (D(2026, 3, 20), "50102", "职工活动支出-文体活动", "球赛服装", 700, "102", "西山体育用品店",
     "033001900111", "00012345", "", "dup_code"),
    (D(2026, 3, 21), "50102", "职工活动支出-文体活动", "羽毛球", 400, "102", "西山体育用品店",
     "033001900333", "00054321", "", ""),
    (D(2026, 3, 22), "50102", "职工活动支出-文体活动", "奖杯", 350, "102", "西山体育用品店",
     "", "26332000000123456789", "", "dup_e"),
]


def _import(tmp_path, name: str, data: bytes, org: str, user: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    out, err = StringIO(), StringIO()
    call_command("funds", "ledger", "import", str(path), "--org", org, "--year", "2026", "--as", user,
                 stdout=out, stderr=err)
    assert "预算" in out.getvalue() or org == "GB", out.getvalue()


def _scan() -> list[dict]:
    out = StringIO()
    call_command("funds", "scan", "--org", "CITY", "--year", "2026", "--as", "city_staff", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_year_imported_from_the_accounting_software_is_flagged_exactly_where_it_should(cast, tmp_path):
    for n, union, user in ((1, cast.grassroots_a, cast.officer_a), (2, cast.grassroots_a, cast.officer_a),
                           (3, cast.grassroots_b, cast.officer_b)):
        member_add(actor=actor_for(user), union=union, joined_on=D(2020, 1, 1),
                   person={"id_number": _id(n), "name": f"会员{n}", "phone": f"1391234567{n}"})
    supplier_add(actor=actor_for(cast.city_staff), org=cast.city, name="临江办公用品公司")
    ga_file, ga = _journal(GA_ENTRIES, GA_BUDGET)
    gb_file, gb = _journal(GB_ENTRIES)
    _import(tmp_path, "东湖机械厂工会2026序时账.xlsx", ga_file, "GA", "grassroots_a")
    _import(tmp_path, "西山水泥厂工会2026序时账.xlsx", gb_file, "GB", "officer_b")
    county = actor_for(cast.officer_a)
    late = returns.return_receipt_record(actor=county, payer=cast.county_a, union=cast.grassroots_a,
                                         amount=Decimal("5000"), receipt_no="HB-2026-001", receipt_on=D(2026, 3, 2))
    on_time = returns.return_receipt_record(actor=county, payer=cast.county_a, union=cast.grassroots_a,
                                            amount=Decimal("3000"), receipt_no="HB-2026-002",
                                            receipt_on=D(2026, 3, 2))
    assert late.due_on == on_time.due_on == D(2026, 3, 9)
    returns.return_pay(actor=county, fund_return=late, paid_on=D(2026, 3, 12))
    returns.return_pay(actor=county, fund_return=on_time, paid_on=D(2026, 3, 9))
    assert FundReturn.objects.filter(late=True).count() == 1

    flagged = _scan()
    assert _scan() == flagged  # the same output on a second run
    got = {(f["rule"], f["union"], f["voucher"]) for f in flagged}
    assert got == {
        ("duplicate_invoice", "GA", ga["dup_code"]), ("duplicate_invoice", "GA", ga["dup_e"]),
        ("duplicate_invoice", "GB", gb["dup_code"]), ("duplicate_invoice", "GB", gb["dup_e"]),
        ("split_purchase", "GA", ga["split1"]), ("split_purchase", "GA", ga["split2"]),
        ("split_purchase", "GA", ga["split3"]),
        ("large_without_decision", "GA", ga["large"]),
        ("banned_item", "GA", ga["banned"]),
        ("cash_limit", "GA", ga["cash"]),
        ("holiday_gift_cap", "GB", gb["gift"]),
        ("over_budget", "GA", ga["over"]),
        ("unbudgeted", "GA", ga["unbudgeted"]),
        ("central_purchase", "GA", ga["central"]),
        ("late_return", "GA", "HB-2026-001"),
    }
    large = next(f for f in flagged if f["rule"] == "large_without_decision")
    assert (large["date"], large["amount"]) == ("2026-05-06", "25000.00")
    assert all(f["message"] for f in flagged)


def test_an_import_is_scanned_as_it_lands(cast, tmp_path, django_capture_on_commit_callbacks):
    """The journal's signal carries the new lines' ids to the rule engine: no separate scan is needed."""
    from gonghui.funds.models import Alert

    data, _numbers = _journal([
        (D(2026, 6, 1), "50104", "职工活动支出-职工集体福利", "购买购物卡发放职工", 500, "102", "临江商场", "", "", "",
         "banned"),
        (D(2026, 6, 3), "50102", "职工活动支出-文体活动", "文艺汇演道具", 1200, "101", "临江道具店", "", "", "",
         "cash")])
    with django_capture_on_commit_callbacks(execute=True):
        _import(tmp_path, "GB2026.xlsx", data, "GB", "officer_b")
    assert set(Alert.objects.values_list("rule", "alert_lines__line__voucher__number")) == {
        ("banned_item", 1), ("cash_limit", 2)}
