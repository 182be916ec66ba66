"""Reading a journal (序时账) as the accounting software exports it: the columns by their names and synonyms, each
cell cleaned (Excel dates, full-width digits, thousands separators, 记-0012 / 记12 / 12), subtotal rows skipped,
and each line's account found by its code or its name path (an unknown sub-account under a known parent is
planned for creation)."""

import datetime
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from gonghui.core import tabular
from gonghui.core.identity import to_halfwidth
from gonghui.core.spreadsheets import cell_text, parse_date

from ..books import CENT, MAX_AMOUNT
from ..models import Account, AccountKind

KIND = "funds_journal"
ZERO = Decimal("0.00")

# key: (the preferred header, then its synonyms)
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("凭证日期", "日期", "记账日期", "制单日期", "业务日期"),
    "number": ("凭证字号", "凭证号", "凭证编号", "凭证号码", "凭证字"),
    "code": ("科目编码", "科目代码", "会计科目编码", "科目编号"),
    "account": ("科目名称", "科目", "会计科目", "科目全名", "科目全称"),
    "summary": ("摘要", "凭证摘要"),
    "debit": ("借方金额", "借方", "借方本币", "借方发生额"),
    "credit": ("贷方金额", "贷方", "贷方本币", "贷方发生额"),
    "counterparty": ("对方单位", "往来单位", "客户供应商", "往来单位名称"),
    "invoice_code": ("发票代码",),
    "invoice_number": ("发票号码", "发票号"),
    "decision_ref": ("决策文号", "会议纪要号", "集体决策文号"),
    "attachments": ("附件数", "附单据数", "附件张数"),
}
HEADERS = tabular.HeaderMap(COLUMNS)
REQUIRED = ("date", "number", "summary", "debit", "credit")
BUDGET_COLUMNS: dict[str, tuple[str, ...]] = {
    "account": ("科目名称", "科目", "会计科目"),
    "code": ("科目编码", "科目代码"),
    "amount": ("预算金额", "预算数", "金额"),
}
BUDGET_HEADERS = tabular.HeaderMap(BUDGET_COLUMNS)
SUBTOTALS = frozenset({"合计", "本月合计", "本年累计", "本期合计", "累计", "总计", "小计", "本日合计", "期初余额",
                       "上年结转", "承前页", "过次页"})
_SUBTOTAL_MARKS = tuple(sorted({w[-1] for w in SUBTOTALS}))
JOURNAL_SHEET = "凭证"
BUDGET_SHEET = "预算"
MAX_WORD = 4

_NUMBER = re.compile(r"^([^\d\s]{0,6}?)\s*[-_－—.#]?\s*第?\s*0*(\d{1,9})\s*号?$")
_SPACES = re.compile(r"\s+")
_AMOUNT_NOISE = re.compile(r"[\s,，¥￥]")
_SEPARATORS = re.compile(r"\s*[-/\\／＼]\s*")
_TIME = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def header(key: str) -> str:
    return COLUMNS[key][0]


class CellError(Exception):
    """A cell that cannot be used: its column key, its value as shown and the message."""

    def __init__(self, key: str, value: str, message: str, code: str):
        super().__init__(message)
        self.key, self.value, self.message, self.code = key, value, message, code


@functools.lru_cache(maxsize=4096)
def _date_text(text: str) -> datetime.date:
    return parse_date(_TIME.sub("", text.strip()))


def cell_date(raw) -> datetime.date | None:
    """A date cell: a date, an Excel serial number, 2026-03-02, 2026/3/2, 2026年3月2日 (full-width digits too)."""
    if type(raw) is str and raw:  # a CSV's cells: each text parsed once (remembered)
        try:
            return _date_text(raw) if raw.strip() else None
        except (ValidationError, ValueError, OverflowError):
            raise CellError("date", cell_text(raw), _("“%(value)s” is not a date (write it as 2026-03-02).") % {
                "value": cell_text(raw)}, "bad_date") from None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if raw is None or raw == "" or (type(raw) is str and not raw.strip()):
        return None
    try:
        if isinstance(raw, float):
            if not raw.is_integer() or not 1 <= raw < 2958466:
                raise ValidationError("date")
            return parse_date(int(raw))
        return _date_text(str(raw))
    except (ValidationError, ValueError, OverflowError):
        raise CellError("date", cell_text(raw), _("“%(value)s” is not a date (write it as 2026-03-02).") % {
            "value": cell_text(raw)}, "bad_date") from None


@functools.lru_cache(maxsize=65536)
def _number_text(text: str) -> tuple[str, int] | None:
    text = _SPACES.sub("", to_halfwidth(text))
    m = _NUMBER.match(text)
    if not m or int(m[2]) == 0:
        return None
    word = m[1].rstrip("字") or "记"
    if len(word) > MAX_WORD:
        return None
    return word, int(m[2])


def cell_number(raw) -> tuple[str, int] | None:
    """A voucher number: 记-12, 记-0012, 记12, 记字第12号, 12 (the word 记 when none) -> (word, number)."""
    if type(raw) is str and raw:  # a CSV's cells
        found = _number_text(raw)
        if found is not None:
            return found
        if not raw.strip():
            return None
        raise CellError("number", cell_text(raw), _("“%(value)s” is not a voucher number (write it as 记-12).") % {
            "value": cell_text(raw)}, "bad_number")
    if raw is None or raw == "" or (type(raw) is str and not raw.strip()):
        return None
    if isinstance(raw, float):
        if raw.is_integer() and 0 < raw < 1e9:
            return "记", int(raw)
        raw = cell_text(raw)
    found = _number_text(str(raw))
    if found is None:
        raise CellError("number", cell_text(raw), _("“%(value)s” is not a voucher number (write it as 记-12).") % {
            "value": cell_text(raw)}, "bad_number")
    return found


@functools.lru_cache(maxsize=65536)
def _amount_text(text: str) -> Decimal:
    text = _AMOUNT_NOISE.sub("", to_halfwidth(text))
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    if not text or text in ("-", "--"):
        return ZERO
    value = Decimal(text)  # InvalidOperation for anything else
    return -value if negative else value


@functools.lru_cache(maxsize=65536)
def _amount_checked(text: str) -> Decimal | None:
    """A text amount checked (finite, two decimals at most, within MAX_AMOUNT) and quantized, or None."""
    try:
        value = _amount_text(text)
        if not value.is_finite() or value != value.quantize(CENT) or abs(value) > MAX_AMOUNT:
            return None
        return value.quantize(CENT)
    except (InvalidOperation, ValueError, OverflowError):
        return None


def cell_amount(raw, key: str) -> Decimal:
    """An amount: a number, or text with thousands separators, ¥, full-width digits, (negative); two decimals."""
    if type(raw) is str:  # a CSV's cells, and text cells: the checked value of each text is remembered
        if not raw:
            return ZERO
        value = _amount_checked(raw)
        if value is None:
            raise CellError(key, cell_text(raw), _("“%(value)s” is not an amount with at most two decimals.") % {
                "value": cell_text(raw)}, "bad_amount")
        return value
    if raw is None:
        return ZERO
    try:
        if isinstance(raw, bool):
            raise InvalidOperation
        if isinstance(raw, float):
            value = Decimal(repr(raw))
            rounded = value.quantize(CENT)
            if abs(value - rounded) < Decimal("0.000001"):  # 0.30000000000000004 from a spreadsheet formula
                value = rounded
        elif isinstance(raw, int):
            value = Decimal(raw)
        else:
            value = _amount_text(str(raw))
        if not value.is_finite() or value != value.quantize(CENT) or abs(value) > MAX_AMOUNT:
            raise InvalidOperation
    except (InvalidOperation, ValueError, OverflowError):
        raise CellError(key, cell_text(raw), _("“%(value)s” is not an amount with at most two decimals.") % {
            "value": cell_text(raw)}, "bad_amount") from None
    return value.quantize(CENT)


def cell_code(raw) -> str:
    if type(raw) is str and (raw == "" or (raw.isascii() and raw.isalnum())):
        return raw  # the usual case, which the cleaning below leaves as it is
    return re.sub(r"\s+", "", to_halfwidth(cell_text(raw)))


@functools.lru_cache(maxsize=4096)
def _account_name_text(text: str) -> str:
    text = text.strip()
    return _SEPARATORS.sub("-", text).strip("-") if text else ""


def account_name(raw) -> str:
    """A name path as the software writes it (职工活动支出/节日慰问, 职工活动支出\\节日慰问) joined by "-"."""
    if type(raw) is str:
        return _account_name_text(raw)
    text = cell_text(raw).strip()
    return _SEPARATORS.sub("-", text).strip("-") if text else ""


def plain(raw, limit: int = 0) -> str:
    if type(raw) is str and raw.isprintable() and "  " not in raw:
        text = raw.strip()  # the usual case: no line breaks, tabs or runs of spaces to fold
        return text[:limit] if limit else text
    text = re.sub(r"\s+", " ", cell_text(raw)).strip()
    return text[:limit] if limit else text


def token(raw) -> str:
    if type(raw) is str and (raw == "" or (raw.isprintable() and " " not in raw)):
        return raw
    return re.sub(r"\s+", "", cell_text(raw))


def is_subtotal(cells) -> bool:
    """A 合计 / 本月合计 / 本年累计 (or 期初余额, 承前页...) row: skipped."""
    try:
        joined = "".join(cells)
    except TypeError:  # not all text (a spreadsheet's numbers and dates)
        joined = None
    if joined is not None:  # a subtotal word holds its own last character: no such character, no subtotal
        for mark in _SUBTOTAL_MARKS:
            if mark in joined:
                break
        else:
            return False
    for c in cells:
        if type(c) is str and 1 < len(c) < 16:
            text = c.strip()
            if text in SUBTOTALS or (" " in text and re.sub(r"\s+", "", text) in SUBTOTALS):
                return True
    return False


@dataclass
class Planned:
    """An account the import creates: a union's sub-account under a known parent (or under another planned one)."""

    path: str
    code: str
    parent_path: str
    kind: str
    rows: list[int] = field(default_factory=list)


class Accounts:
    """The accounts a union's book may post to, loaded once, and those the import plans to create."""

    def __init__(self, *, chart_id: int, org_id: int):
        self.chart_id, self.org_id = chart_id, org_id
        rows = list(Account.objects.filter(Q(org__isnull=True) | Q(org_id=org_id), chart_id=chart_id, active=True)
                    .order_by("org_id", "id"))
        self.by_id = {a.pk: a for a in rows}
        self.by_code: dict[str, Account] = {}
        self.by_path: dict[str, Account] = {}
        self.by_leaf: dict[str, list] = {}
        for a in rows:  # the chart's own first, a union's own after (a union's path wins, as account_find)
            if a.code:
                self.by_code.setdefault(a.code, a)
            self.by_path[a.path] = a
            self.by_leaf.setdefault(a.name, []).append(a)
        self.planned: dict[str, Planned] = {}
        self._memo: dict[tuple[str, str], object] = {}

    def kind_of(self, ref) -> str:
        return ref.kind

    def path_of(self, ref) -> str:
        return ref.path

    def find(self, code: str, name: str, row: int):
        """The account (or Planned) for a line's code and name, or CellError."""
        key = (code, name)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._resolve(code, name)
        if isinstance(found, CellError):
            raise found
        if isinstance(found, Planned):
            found.rows.append(row) if len(found.rows) < 20 else None
        return found

    def _resolve(self, code: str, name: str):
        if code and code in self.by_code:
            return self.by_code[code]
        if not name:
            if code:
                return CellError("code", code, _("The account code %(code)s is not in this union's chart of "
                                                 "accounts.") % {"code": code}, "unknown_account")
            return CellError("account", "", _("The account is missing (give its code or its name)."),
                             "unknown_account")
        if name in self.by_path:
            return self.by_path[name]
        if name in self.planned:
            return self.planned[name]
        parts = name.split("-")
        if len(parts) == 1:
            return self._leaf(code, name)
        return self._under(parts, code, name)

    def _leaf(self, code: str, name: str):
        """Only a leaf name: under the known account whose code begins the line's code, else a unique name."""
        if code:
            for cut in range(len(code) - 1, 0, -1):
                parent = self.by_code.get(code[:cut])
                if parent is not None:
                    path = f"{parent.path}-{name}"
                    return self.by_path.get(path) or self.planned.get(path) or self._plan(path, code, parent.path,
                                                                                        parent.kind)
        same = self.by_leaf.get(name, [])
        if len(same) == 1:
            return same[0]
        if len(same) > 1:
            return CellError("account", name, _("The account name %(name)s is ambiguous (%(paths)s): give its "
                                                "code or its full name.") % {
                "name": name, "paths": "、".join(a.path for a in same[:5])}, "ambiguous_account")
        return CellError("account", name, _("The account %(name)s is not in this union's chart of accounts, and "
                                            "it is not under a known account.") % {"name": name}, "unknown_account")

    def _under(self, parts: list[str], code: str, name: str):
        if parts[0] not in self.by_path:
            return CellError("account", name, _("The first-level account %(name)s is not in the chart of "
                                                "accounts.") % {"name": parts[0]}, "unknown_first_level")
        if any(not p or len(p) > 60 for p in parts) or len(name) > 240:
            return CellError("account", name, _("The account name %(name)s is not valid (an empty level, or a "
                                                "name longer than 60 characters).") % {"name": name},
                             "bad_account")
        known = 1
        while known < len(parts) and "-".join(parts[:known + 1]) in self.by_path:
            known += 1
        parent = self.by_path["-".join(parts[:known])]
        kind, parent_path = parent.kind, parent.path
        planned = None
        for depth in range(known + 1, len(parts) + 1):
            path = "-".join(parts[:depth])
            planned = self.planned.get(path) or self._plan(path, code if depth == len(parts) else "", parent_path,
                                                           kind)
            parent_path = path
        return planned

    def _plan(self, path: str, code: str, parent_path: str, kind: str) -> Planned:
        if code and any(p.code == code for p in self.planned.values()):
            code = ""
        planned = self.planned[path] = Planned(path=path, code=code[:24], parent_path=parent_path, kind=kind)
        return planned

    def created(self) -> list[Planned]:
        return sorted(self.planned.values(), key=lambda p: p.path.count("-"))

    def is_expense(self, ref) -> bool:
        return ref.kind == AccountKind.EXPENSE
