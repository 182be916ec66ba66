"""The chart of accounts as versioned data: the 2009 工会会计制度 chart ships (with the usual grassroots
sub-items); a federation loads a revision from a spreadsheet (columns 科目编码, 科目名称, 类别)."""

from django.db import transaction
from django.db.models import Q

from .models import Account, AccountKind, ChartVersion

STANDARD_CODE = "2009"
STANDARD_NAME = "工会会计制度（2009）"

A, L, N, INC, EXP = (AccountKind.ASSET, AccountKind.LIABILITY, AccountKind.NET_ASSET, AccountKind.INCOME,
                     AccountKind.EXPENSE)

# (code, path, kind): a sub-account's path is its parent's path, "-", its name.
STANDARD_ACCOUNTS: list[tuple[str, str, str]] = [
    ("101", "库存现金", A), ("102", "银行存款", A), ("103", "应收上级经费", A), ("104", "应收下级经费", A),
    ("105", "其他应收款", A), ("111", "库存物品", A), ("121", "投资", A), ("131", "固定资产", A),
    ("141", "在建工程", A), ("151", "无形资产", A),
    ("201", "应付上级经费", L), ("202", "应付下级经费", L), ("203", "其他应付款", L), ("204", "代管经费", L),
    ("301", "资产基金", N), ("302", "专用基金", N), ("303", "工会资金结转", N), ("304", "工会资金结余", N),
    ("401", "会费收入", INC), ("402", "拨缴经费收入", INC), ("403", "上级补助收入", INC), ("404", "政府补助收入", INC),
    ("405", "行政补助收入", INC), ("406", "事业收入", INC), ("407", "投资收益", INC), ("408", "其他收入", INC),
    ("501", "职工活动支出", EXP),
    ("50101", "职工活动支出-职工教育", EXP), ("50102", "职工活动支出-文体活动", EXP),
    ("50103", "职工活动支出-宣传活动", EXP), ("50104", "职工活动支出-职工集体福利", EXP),
    ("50105", "职工活动支出-节日慰问", EXP), ("50106", "职工活动支出-其他活动", EXP),
    ("502", "维权支出", EXP),
    ("50201", "维权支出-劳动关系协调", EXP), ("50202", "维权支出-劳动保护", EXP), ("50203", "维权支出-法律援助", EXP),
    ("50204", "维权支出-困难职工帮扶", EXP), ("50205", "维权支出-送温暖", EXP), ("50206", "维权支出-其他维权", EXP),
    ("503", "业务支出", EXP),
    ("50301", "业务支出-培训", EXP), ("50302", "业务支出-会议", EXP), ("50303", "业务支出-专项业务", EXP),
    ("50304", "业务支出-其他业务", EXP),
    ("504", "行政支出", EXP),
    ("50401", "行政支出-办公费", EXP), ("50402", "行政支出-公务接待费", EXP),
    ("50403", "行政支出-公务用车运行维护费", EXP), ("50404", "行政支出-因公出国（境）费", EXP),
    ("50405", "行政支出-差旅费", EXP), ("50406", "行政支出-其他行政", EXP),
    ("505", "资本性支出", EXP), ("506", "补助下级支出", EXP), ("507", "事业支出", EXP), ("508", "其他支出", EXP),
]

# Accounts the services look up by role (the chart's code; a revision keeps these codes).
CASH = "101"
BANK = "102"
SURPLUS = "304"  # year-end: income and expenditure are closed into the union's surplus
# 三公 spending: reception, official cars, official trips abroad (paths ending in these names).
THREE_PUBLIC = ("公务接待费", "公务用车运行维护费", "因公出国（境）费")


def parent_path(path: str) -> str:
    return path.rsplit("-", 1)[0] if "-" in path else ""


@transaction.atomic
def load_chart(*, code: str, name: str, effective_year: int, accounts: list[tuple[str, str, str]],
               loaded_by=None) -> ChartVersion:
    """Create a chart with its accounts (parents before children). The caller validates the rows."""
    chart = ChartVersion.objects.create(code=code, name=name, effective_year=effective_year, loaded_by=loaded_by)
    by_path: dict[str, Account] = {}
    for acc_code, path, kind in sorted(accounts, key=lambda a: a[1].count("-")):
        parent = by_path.get(parent_path(path))
        by_path[path] = Account.objects.create(
            chart=chart, parent=parent, code=acc_code, name=path.rsplit("-", 1)[-1], path=path, kind=kind,
            depth=path.count("-") + 1)
    return chart


def standard_chart() -> ChartVersion:
    """The shipped chart, created the first time it is needed (a flushed test database has none)."""
    chart = ChartVersion.objects.filter(code=STANDARD_CODE).first()
    if chart is not None:
        return chart
    with transaction.atomic():
        chart = ChartVersion.objects.select_for_update().filter(code=STANDARD_CODE).first()
        return chart or load_chart(code=STANDARD_CODE, name=STANDARD_NAME, effective_year=2010,
                                   accounts=STANDARD_ACCOUNTS)


def ancestor_paths(path: str, steplen: int = 4) -> list[str]:
    """The org's own path and every ancestor's (materialized paths of ``steplen`` characters a level)."""
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def chart_for(org, year: int) -> ChartVersion:
    """The chart a union's books use in ``year``: the newest in force that year among the shipped chart and those
    loaded by the union's own federations (the union itself or an ancestor)."""
    standard = standard_chart()
    found = (ChartVersion.objects.filter(effective_year__lte=year)
             .filter(Q(loaded_by__isnull=True) | Q(loaded_by__path__in=ancestor_paths(org.path)))
             .order_by("-effective_year", "-id").first())
    return found or standard
