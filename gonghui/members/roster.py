"""Roster import: members added to one union from a spreadsheet, all or nothing (or only the valid rows).

The file is streamed (``tabular``: CSV decoded as it is read, xlsx inflated and parsed a chunk at a time), in
batches of ``BATCH`` rows, so memory stays bounded by a batch. The same person twice in the file is found by
the blind index of their document, kept in a temporary SQLite file with a bounded cache (``_Seen``), so that
memory stays flat however many rows the file has:

1. The check (read-only, outside any transaction). Every row is parsed (Chinese headers and their
   synonyms, full-width characters, dates in the usual spellings, Chinese labels for the choices) and
   cleaned by ``services.person_clean``; the people already registered and their active memberships are
   looked up by blind index, one query per batch. The progress callback runs after each batch and, as no
   transaction is open, other connections (the page polling a job) see it. Each checked batch is kept in a
   sealed temporary spool (``_Spool``), so the write does not read and check the file again.
2. The write, when the check allows it, inside ONE ``transaction.atomic()``: the rows are looked up again
   (the registry may have changed since the check) and written per batch, PostgreSQL through a binary
   ``COPY`` (ids drawn from the sequence first), SQLite through ``executemany``, with one audit event for
   the whole import. A crash or a kill leaves the database as it was. Progress written inside this
   transaction would stay invisible to other connections until the commit (and on SQLite no other
   connection can write meanwhile), so the write reports only its start.

A large all-or-nothing import into PostgreSQL runs the two at once (``_Writer``): each checked batch goes to a
thread that writes it on a connection of its own, inside the one transaction, while the next batch is checked;
the transaction commits only when every row has passed, and is rolled back otherwise. The database's work (heap,
ten indexes, WAL, foreign keys) then runs on another core than the Python that reads and checks the rows.

``member_add`` is not called per row: it records an audit event and runs several queries per row, far too
slow for a roster of a large union; the rules are the same (``person_clean``, ``membership_values``,
``check_joined_on``, one active membership per person), and personal data is sealed by the model fields
themselves. ``benchmarks/member_import.py`` measures all this against a raw COPY, ``bulk_create`` and a
``member_add`` loop.
"""

import contextlib
import datetime
import multiprocessing
import os
import pickle
import queue
import re
import sqlite3
import tempfile
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import audit, crypto, identity, tabular
from gonghui.core.identity import DocumentType, mask, to_halfwidth
from gonghui.core.models import Outcome
from gonghui.core.spreadsheets import cell_text, parse_bool, parse_date

from . import services
from .models import (
    Education,
    EmploymentForm,
    Membership,
    MembershipStatus,
    Person,
    PoliticalStatus,
    Sex,
)

KIND = "members.roster"  # the import kind whose limits apply (settings.IMPORT_LIMITS)
BATCH = 1000
PREVIEW_ROWS = 20
RosterFileError = tabular.TableFileError

# Actions a row leads to.
CREATE, UPDATE, UNCHANGED, REFUSED = "create", "update", "unchanged", "refused"
_ACTION_CODES = {CREATE: 0, UPDATE: 1, UNCHANGED: 2, REFUSED: 3}
_CODE_ACTIONS = {v: k for k, v in _ACTION_CODES.items()}


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header the template and the report write
    synonyms: tuple[str, ...]
    help: str


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("职工姓名", "会员姓名", "名字", "name"), gettext_lazy("The person's full name.")),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "居民身份证号码", "身份证件号码", "证件号码",
                                  "证件号", "身份证", "id_number"),
           gettext_lazy("18 characters; format the column as text in Excel, or it keeps only 15 digits. "
                        "Full-width digits, spaces and a lowercase x are accepted.")),
    Column("doc_type", "证件类型", ("证件种类", "证件名称", "doc_type"),
           gettext_lazy("Leave empty for a resident ID card; else 护照, 港澳居民来往内地通行证, "
                        "台湾居民来往大陆通行证 or 外国人永久居留身份证.")),
    Column("sex", "性别", ("sex",), gettext_lazy("男 or 女; for a resident ID it must agree with the number.")),
    Column("birth_date", "出生日期", ("出生年月", "出生年月日", "生日", "birth_date"),
           gettext_lazy("For a resident ID it must agree with the number.")),
    Column("ethnicity", "民族", ("ethnicity",), gettext_lazy("For example 汉族.")),
    Column("phone", "手机号码", ("手机", "手机号", "移动电话", "联系电话", "电话", "电话号码", "联系方式", "phone"),
           gettext_lazy("A mobile number, 11 digits.")),
    Column("education", "文化程度", ("学历", "最高学历", "education"),
           gettext_lazy("研究生, 本科, 大专, 高中 (or 中专) or 初中 (or below).")),
    Column("political_status", "政治面貌", ("political_status",),
           gettext_lazy("中共党员, 中共预备党员, 共青团员, 民主党派 or 群众.")),
    Column("joined_on", "入会时间", ("入会日期", "入会年月", "加入工会时间", "加入工会日期", "joined_on"),
           gettext_lazy("Empty: the day of the import.")),
    Column("job_title", "岗位", ("职务", "岗位/职务", "岗位(职务)", "职位", "工种", "job_title"),
           gettext_lazy("At most 50 characters.")),
    Column("employment_form", "用工形式", ("用工方式", "用工类型", "就业形式", "employment_form"),
           gettext_lazy("全日制, 非全日制, 劳务派遣, 平台用工 or 灵活就业.")),
    Column("is_migrant_worker", "是否农民工", ("农民工", "is_migrant_worker"), gettext_lazy("是 or 否.")),
    Column("is_new_employment", "是否新就业形态劳动者",
           ("新就业形态劳动者", "是否新就业形态", "新就业形态", "is_new_employment"), gettext_lazy("是 or 否.")),
    Column("is_dispatched", "是否劳务派遣", ("劳务派遣", "是否派遣", "派遣", "is_dispatched"),
           gettext_lazy("是 or 否.")),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = ("name", "id_number")
HEADERS = tabular.HeaderMap({c.key: (c.header, *c.synonyms) for c in COLUMNS})
MEMBERSHIP_KEYS = ("joined_on", "job_title", "employment_form", "is_migrant_worker", "is_new_employment",
                   "is_dispatched")
PERSON_UPDATABLE = ("name", "sex", "birth_date", "ethnicity", "education", "political_status")

# Labels people write, to enum values; the first label of each value is the one the template documents.
SEX_LABELS = {Sex.MALE: ("男", "男性", "m", "male", "1"), Sex.FEMALE: ("女", "女性", "f", "female", "2")}
EDUCATION_LABELS = {
    Education.POSTGRADUATE: ("研究生", "博士", "硕士", "博士研究生", "硕士研究生", "研究生及以上", "博士后"),
    Education.BACHELOR: ("本科", "大学本科", "大学", "学士"),
    Education.COLLEGE: ("大专", "专科", "大学专科", "高职", "高职高专"),
    Education.SECONDARY: ("高中", "中专", "高中/中专", "中专/高中", "高中(中专)", "职高", "技校", "中技",
                          "普通高中", "中等专业学校"),
    Education.JUNIOR: ("初中", "初中及以下", "初中以下", "小学", "文盲", "半文盲"),
}
POLITICAL_LABELS = {
    PoliticalStatus.CPC: ("中共党员", "党员", "中国共产党党员", "共产党员"),
    PoliticalStatus.CPC_PROBATIONARY: ("中共预备党员", "预备党员"),
    PoliticalStatus.LEAGUE: ("共青团员", "团员"),
    PoliticalStatus.DEMOCRATIC_PARTY: ("民主党派", "民革党员", "民盟盟员", "民建会员", "民进会员", "农工党党员",
                                       "致公党党员", "九三学社社员", "台盟盟员"),
    PoliticalStatus.MASSES: ("群众", "无党派人士", "无党派"),
}
EMPLOYMENT_LABELS = {
    EmploymentForm.FULL_TIME: ("全日制", "全职", "合同制", "正式工", "固定用工"),
    EmploymentForm.PART_TIME: ("非全日制", "兼职"),
    EmploymentForm.DISPATCHED: ("劳务派遣", "派遣"),
    EmploymentForm.PLATFORM: ("平台用工", "新就业形态", "平台", "网约工"),
    EmploymentForm.FLEXIBLE: ("灵活就业", "灵活用工", "临时工"),
}
DOC_LABELS = {
    DocumentType.RESIDENT_ID: ("居民身份证", "身份证", "二代身份证", "中华人民共和国居民身份证"),
    DocumentType.PASSPORT: ("护照",),
    DocumentType.HK_MACAU_PERMIT: ("港澳居民来往内地通行证", "回乡证", "港澳通行证"),
    DocumentType.TAIWAN_PERMIT: ("台湾居民来往大陆通行证", "台胞证"),
    DocumentType.FOREIGN_RESIDENCE: ("外国人永久居留身份证", "外国人永久居留证", "永久居留证"),
}


_token = tabular.cell_token
_lookup = tabular.label_table


_SEXES, _EDUCATIONS, _POLITICAL = _lookup(SEX_LABELS), _lookup(EDUCATION_LABELS), _lookup(POLITICAL_LABELS)
_EMPLOYMENT, _DOCS = _lookup(EMPLOYMENT_LABELS), _lookup(DOC_LABELS)


def _choice(table: dict, labels: dict, text: str) -> str:
    token = _token(text)
    value = table.get(token) or table.get(re.sub(r"\(.*?\)", "", token))
    if value is None:
        raise ValidationError(_("Unknown value “%(value)s”; write one of: %(labels)s.") % {
            "value": text, "labels": "、".join(names[0] for names in labels.values())}, code="choice")
    return value


# --- results -------------------------------------------------------------------------------------------


@dataclass
class Problem:
    row: int  # the row number the user sees in the spreadsheet (1-based)
    field: str  # the column key ("" for the row or the file as a whole)
    column: str  # the header as written in the file
    value: str  # the cell as shown (ID and phone numbers masked)
    message: str
    code: str = ""


@dataclass
class RosterResult:
    filename: str
    union_code: str
    dry_run: bool = False
    skip_invalid: bool = False
    header_row: int = 0  # 1-based
    columns: list[tabular.MappedColumn] = field(default_factory=list)
    total: int = 0  # data rows (blank rows are not counted)
    # Rows that were, or in a dry run or a refused import would have been, created / updated / left alone.
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    fatal: bool = False  # the file as a whole cannot be imported (a required column is missing, no rows)
    committed: bool = False
    preview: list[dict] = field(default_factory=list)
    # The union's active members before the import and its employee count (0: not recorded), to catch an import
    # that would make members outnumber employees (8,000 members in a union of 70 employees).
    members_before: int = 0
    employees: int = 0
    accept_over_employees: bool = False

    @property
    def members_after(self) -> int:
        return self.members_before + self.created

    @property
    def over_employees(self) -> bool:
        """Whether the import would give the union more members than employees (only with rows to add)."""
        return bool(self.employees) and self.created > 0 and self.members_after > self.employees

    @property
    def blocked_over_employees(self) -> bool:
        return self.over_employees and not self.accept_over_employees

    def over_employees_message(self) -> str:
        return _("After this import the union would have %(members)s members but only %(employees)s employees. "
                 "Check the roster, or correct the union's employee count first; if the figures are right, "
                 "confirm that you accept more members than employees.") % {
            "members": self.members_after, "employees": self.employees}

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def refused_lines(self) -> set[int]:
        return {p.row for p in self.problems if p.row > self.header_row}

    @property
    def refused(self) -> int:
        return len(self.refused_lines)

    @property
    def transfer_candidates(self) -> int:
        return len({p.row for p in self.problems if p.code == "active_elsewhere"})

    @property
    def importable(self) -> bool:
        """Whether the import can go ahead: no file-level problem, valid rows, and either no refused row
        or only the valid rows asked for."""
        return not self.fatal and (self.ok or self.skip_invalid) and self.created + self.updated + self.unchanged > 0

    def mapping(self) -> list[dict]:
        return [{"header": c.header, "meaning": BY_KEY[c.key].header if c.key else "",
                 "duplicate_of": c.duplicate_of} for c in self.columns]

    def mapped_headers(self) -> list[str]:
        return [c.header for c in self.columns if c.key]

    def summary(self, max_problems: int = 200) -> dict:
        """What a screen shows of the result, JSON-serializable (ID and phone numbers are masked)."""
        return {
            "header_row": self.header_row, "columns": self.mapping(), "mapped_headers": self.mapped_headers(),
            "total": self.total, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "refused": self.refused, "transfer_candidates": self.transfer_candidates, "fatal": self.fatal,
            "committed": self.committed, "importable": self.importable, "preview": self.preview,
            "problems_total": len(self.problems), "valid": self.created + self.updated + self.unchanged,
            "members_before": self.members_before, "members_after": self.members_after,
            "employees": self.employees, "over_employees": self.over_employees,
            "over_employees_message": self.over_employees_message() if self.over_employees else "",
            "problems": [{"row": p.row, "field": p.field, "column": p.column, "value": p.value,
                          "message": p.message, "code": p.code} for p in self.problems[:max_problems]],
        }


# --- parsing one row -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    line: int
    cells: dict  # key -> the cell as read
    problems: list = field(default_factory=list)  # (key, code, message)
    person: dict | None = None  # person_clean's output
    membership: dict = field(default_factory=dict)  # membership fields given in the file
    doc_type: str = DocumentType.RESIDENT_ID
    bidx: str = ""
    action: str = ""
    person_id: int | None = None  # the person already registered, if any
    current: dict | None = None  # their stored fields (never the encrypted ones)
    active: dict | None = None  # their active membership, if any
    person_changes: dict = field(default_factory=dict)
    membership_changes: dict = field(default_factory=dict)
    duplicate: bool = False
    sealed: tuple | None = None  # a new person's row, sealed and with its id, ready to insert (_seal)

    @property
    def key(self) -> str:
        return self.bidx if self.doc_type == DocumentType.RESIDENT_ID else f"{self.doc_type}:{self.bidx}"

    @property
    def seen_key(self) -> bytes:
        """``key`` as the duplicate finder holds it: the blind index's 16 bytes, after the document type
        for a document other than a resident ID."""
        raw = bytes.fromhex(self.bidx)
        return raw if self.doc_type == DocumentType.RESIDENT_ID else f"{self.doc_type}:".encode() + raw

    def shown(self, key: str) -> str:
        """The cell as shown next to a problem or in the preview (ID and phone numbers masked)."""
        return _display(key, self.cells.get(key, ""))

    def add(self, key: str, message, code: str = "") -> None:
        self.problems.append((key, code or key or "row", str(message)))

    def flagged(self, key: str) -> bool:
        return any(k == key for k, _c, _m in self.problems)


class _Memo(dict):
    """A pure conversion of one cell, remembered by cell (``memo[cell]``): a roster repeats the same few values
    (男, 本科, 是, 汉族, the same dates) on every row, and a hit is a dict lookup. Only results are kept; a cell
    that raises is converted again each time, so its message is always in the language of the moment. Bounded:
    cleared when full."""

    LIMIT = 50_000

    def __init__(self, fn: Callable):
        super().__init__()
        self.fn = fn

    def __missing__(self, value):
        result = self.fn(value)
        if len(self) >= self.LIMIT:
            self.clear()
        self[value] = result
        return result


def _chooser(table: dict, labels: dict) -> _Memo:
    return _Memo(lambda text: _choice(table, labels, text))


_SEX, _EDUCATION, _POLITICAL_STATUS = (_chooser(_SEXES, SEX_LABELS), _chooser(_EDUCATIONS, EDUCATION_LABELS),
                                       _chooser(_POLITICAL, POLITICAL_LABELS))
_EMPLOYMENT_FORM, _DOC_TYPE = _chooser(_EMPLOYMENT, EMPLOYMENT_LABELS), _chooser(_DOCS, DOC_LABELS)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _display(key: str, raw) -> str:
    if key == "id_number":
        if _is_number(raw) and abs(raw) >= 1e15:
            return f"{float(raw):.5E}"  # as Excel shows it
        return mask(identity.clean_token(cell_text(raw)), kind="id_number")
    if key == "phone":
        return mask(re.sub(r"\s+", "", to_halfwidth(cell_text(raw))), kind="phone")
    return to_halfwidth(cell_text(raw)).strip()


_CJK = "\u3400-\u9fff\u00b7\u30fb"


def _clean_name(raw) -> str:
    if type(raw) is str and raw.isprintable() and " " not in raw and unicodedata.is_normalized("NFKC", raw):
        # Nothing below would change it: isprintable() is False for every whitespace character but the
        # ASCII space, and the text is already half-width.
        return raw
    text = re.sub(r"\s+", " ", to_halfwidth(cell_text(raw))).strip()
    # Two-character names padded to line up with three-character ones: "张  三".
    return re.sub(rf"(?<=[{_CJK}]) (?=[{_CJK}])", "", text)


_MONTH_ONLY = re.compile(r"^(\d{4})[年.\-/](\d{1,2})月?$")
_TIME_SUFFIX = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _date(raw) -> tuple[datetime.date, bool]:
    """(date, month_only): parse_date's spellings, plus 2021.3 / 2021年3月 (the 1st of the month) and a
    trailing time; a number with a fraction (1990.03 typed in a number cell) is not taken for a date."""
    if isinstance(raw, float) and not raw.is_integer():
        raise ValidationError(_("'%(value)s' is not a date (write it as 2021-03-05).") % {"value": raw},
                              code="date")
    if isinstance(raw, str):
        text = _TIME_SUFFIX.sub("", to_halfwidth(raw).strip())
        text = re.sub(r"\s+", "", text)
        if m := _MONTH_ONLY.match(text):
            try:
                return datetime.date(int(m[1]), int(m[2]), 1), True
            except ValueError:
                raise ValidationError(_("'%(value)s' is not a date (write it as 2021-03-05).") % {
                    "value": text}, code="date") from None
        raw = text
    try:
        value = parse_date(raw)
    except ValidationError as exc:
        raise ValidationError(exc.messages[0], code="date") from None
    return value, False


_DATE = _Memo(_date)


def _cell_date(raw) -> tuple[datetime.date, bool]:
    return (raw, False) if type(raw) is datetime.date else _DATE[raw]  # a date cell is taken as it is


def _joined_on(raw) -> datetime.date:
    value, _month = _cell_date(raw)
    services.check_joined_on(value)  # a date it lets pass today, it lets pass on any later day: kept
    return value


_JOINED = _Memo(_joined_on)
_ETHNICITY = _Memo(lambda text: re.sub(r"\s+", "", to_halfwidth(text)))
_JOB_TITLE = _Memo(lambda text: re.sub(r"\s+", " ", to_halfwidth(text)).strip())
_BOOL = _Memo(lambda text: parse_bool(to_halfwidth(text)))


def _id_as_number(raw) -> str:
    return _("The ID number %(value)s was stored by Excel as a number and lost its last digits; "
             "format the column as text and type it again.") % {"value": f"{float(raw):.5E}"}


def _parse(line: int, cells: dict, texts: dict | None = None, given: dict | None = None) -> _Row:
    """A row of cells (by column key) checked and cleaned. ``texts`` (each cell as ``cell_text`` reads it) and
    ``given`` (the cells that are not blank) are computed when not passed."""
    row = _Row(line=line, cells=cells)
    if texts is None:
        texts = {k: cell_text(v) for k, v in cells.items()}
    if given is None:
        given = {k: cells[k] for k, t in texts.items() if t != ""}
    kw: dict = {"id_number": ""}
    choices = {}  # choices are checked here (person_clean would only check the value is one of them)
    if "doc_type" in given:
        try:
            row.doc_type = _DOC_TYPE[texts["doc_type"]]
        except ValidationError as exc:
            row.add("doc_type", exc.messages[0], "choice")
    kw["doc_type"] = row.doc_type
    raw_id = given.get("id_number", "")
    if raw_id == "":
        row.add("id_number", _("The ID number is missing."), "required")
    elif _is_number(raw_id) and abs(raw_id) >= 1e15:
        row.add("id_number", _id_as_number(raw_id), "id_as_number")
    else:
        kw["id_number"] = texts["id_number"]
    kw["name"] = _clean_name(given.get("name", ""))
    if "sex" in given:
        try:
            kw["sex"] = _SEX[texts["sex"]]
        except ValidationError as exc:
            row.add("sex", exc.messages[0], "choice")
    birth_month = None
    if "birth_date" in given:
        try:
            birth, month_only = _cell_date(given["birth_date"])
            if month_only:
                birth_month = birth
            else:
                kw["birth_date"] = birth
        except ValidationError as exc:
            row.add("birth_date", exc.messages[0], "date")
    if "phone" in given:
        kw["phone"] = texts["phone"]
    if "ethnicity" in given:
        kw["ethnicity"] = _ETHNICITY[texts["ethnicity"]]
        if len(kw["ethnicity"]) > 20:
            row.add("ethnicity", _("At most %(n)s characters.") % {"n": 20}, "too_long")
    for key, choose in (("education", _EDUCATION), ("political_status", _POLITICAL_STATUS)):
        if key in given:
            try:
                choices[key] = choose[texts[key]]
            except ValidationError as exc:
                row.add(key, exc.messages[0], "choice")
    _person(row, kw, birth_month)
    if row.person is not None:
        row.person.update(choices)
    _membership(row, given, texts)
    return row


def _person(row: _Row, kw: dict, birth_month: datetime.date | None) -> None:
    try:
        data = services.person_clean(**kw)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            if not row.flagged(key):
                for message in messages:
                    row.add(key if key in BY_KEY else "", message, key)
        if not row.flagged("id_number"):
            # Find the same person twice in the file even when another cell of the row is wrong.
            number = identity.normalize_document(row.doc_type, kw["id_number"])
            row.bidx = crypto.blind_index(number, kind="id_number")
        return
    if birth_month is not None:
        if row.doc_type == DocumentType.RESIDENT_ID:
            if (data["birth_date"].year, data["birth_date"].month) != (birth_month.year, birth_month.month):
                row.add("birth_date", _("The birth date does not match the ID number (which says %(d)s).") % {
                    "d": data["birth_date"].isoformat()}, "birth_date")
        else:
            data["birth_date"] = birth_month
    row.bidx = services.id_index(data["doc_type"], data["id_number"])
    row.person = data


def _membership(row: _Row, given: dict, texts: dict) -> None:
    fields: dict = {}
    if "joined_on" in given:
        try:
            fields["joined_on"] = _JOINED[given["joined_on"]]
        except ValidationError as exc:
            fields.pop("joined_on", None)
            row.add("joined_on", exc.messages[0], "joined_on")
    if "job_title" in given:
        fields["job_title"] = _JOB_TITLE[texts["job_title"]]
        if len(fields["job_title"]) > 50:
            row.add("job_title", _("At most %(n)s characters.") % {"n": 50}, "too_long")
    if "employment_form" in given:
        try:
            fields["employment_form"] = _EMPLOYMENT_FORM[texts["employment_form"]]
        except ValidationError as exc:
            row.add("employment_form", exc.messages[0], "choice")
    for key in ("is_migrant_worker", "is_new_employment", "is_dispatched"):
        if key in given:
            try:
                fields[key] = _BOOL[texts[key]]
            except ValidationError as exc:
                row.add(key, exc.messages[0], "bool")
    try:
        row.membership = services.membership_values(fields)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            for message in messages:
                row.add(key, message, key)
    joined, born = row.membership.get("joined_on"), (row.person or {}).get("birth_date")
    if joined and born and joined < born:
        row.add("joined_on", _("The joining date is before the birth date."), "joined_on")


# --- looking rows up in the registry and deciding what each does ------------------------------------------

_PERSON_LOAD = ("id", "doc_type", "id_number_bidx", "phone_bidx", *PERSON_UPDATABLE)
_MEMBERSHIP_LOAD = ("id", "person_id", "union_id", "org_path", *MEMBERSHIP_KEYS, "is_female", "union__name")


def _registered(doc_type: str, bidxs: list[str]) -> list[dict]:
    """The people holding these documents (plain fields only), found through the unique index on (type, blind
    index). On PostgreSQL each number of the batch (one array parameter) is looked up by a subquery of its own
    (LIMIT 1 keeps the planner from merging it into a join): one index probe per number, whatever the table's
    statistics say. They are stale during a bulk load, and a join or ``IN`` was planned as a scan of the whole
    table per batch: quadratic in the file's length."""
    if connection.vendor != "postgresql":
        qs = Person.objects.filter(doc_type=doc_type, id_number_bidx__in=bidxs).values_list(*_PERSON_LOAD)
        return [dict(zip(_PERSON_LOAD, values, strict=True)) for values in qs]
    qn, col = connection.ops.quote_name, _column(Person)
    sql = (f"SELECT p.* FROM unnest(%s::varchar[]) AS b(bidx) CROSS JOIN LATERAL ("  # noqa: S608 - names from the model
           f"SELECT {', '.join(col(n) for n in _PERSON_LOAD)} FROM {qn(Person._meta.db_table)} "
           f"WHERE {col('doc_type')} = %s AND {col('id_number_bidx')} = b.bidx LIMIT 1) p")
    with connection.cursor() as cursor:
        cursor.execute(sql, [bidxs, doc_type])
        return [dict(zip(_PERSON_LOAD, values, strict=True)) for values in cursor.fetchall()]


def _active_memberships(person_ids: list[int]) -> list[dict]:
    """The active memberships of these people (at most one each), with their union's name; on PostgreSQL one
    probe of the one-active-membership index per person, as above."""
    if connection.vendor != "postgresql":
        qs = Membership.objects.filter(person_id__in=person_ids, status=MembershipStatus.ACTIVE)
        return [dict(zip(_MEMBERSHIP_LOAD, values, strict=True)) for values in qs.values_list(*_MEMBERSHIP_LOAD)]
    qn, col, org = connection.ops.quote_name, _column(Membership), Membership._meta.get_field("union").related_model
    names = [col(n) for n in _MEMBERSHIP_LOAD if n != "union__name"]
    sql = (f"SELECT m.*, o.{qn(org._meta.get_field('name').column)} "  # noqa: S608 - names from the model
           f"FROM unnest(%s::bigint[]) AS i(id) CROSS JOIN LATERAL ("
           f"SELECT {', '.join(names)} FROM {qn(Membership._meta.db_table)} "
           f"WHERE {col('person_id')} = i.id AND {col('status')} = %s LIMIT 1) m "
           f"JOIN {qn(org._meta.db_table)} o ON o.{qn(org._meta.pk.column)} = m.{col('union_id')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [person_ids, MembershipStatus.ACTIVE])
        return [dict(zip(_MEMBERSHIP_LOAD, values, strict=True)) for values in cursor.fetchall()]


def _column(model) -> Callable[[str], str]:
    def quoted(name: str) -> str:
        return connection.ops.quote_name(model._meta.get_field(name).column)
    return quoted


def _classify(rows: list[_Row], *, actor, union) -> None:
    """Look the batch's people up (one query for people, and one for their active memberships when any is
    registered; plain values, never the encrypted fields) and set each row's action: create (a new person, or
    a person with no active membership), update / unchanged (already an active member of this union), or a
    problem (an active member of another union: a transfer).

    People are looked up by document type and blind index together: the unique index starts with the type."""
    by_type: dict[str, set[str]] = {}
    for r in rows:
        if r.bidx:
            by_type.setdefault(r.doc_type, set()).add(r.bidx)
    people: dict[tuple[str, str], dict] = {}
    for doc_type, found in by_type.items():
        bidxs = sorted(found)
        for i in range(0, len(bidxs), BATCH):
            for p in _registered(doc_type, bidxs[i:i + BATCH]):
                people[(p["doc_type"], p["id_number_bidx"])] = p
    actives: dict[int, dict] = {}
    ids = [p["id"] for p in people.values()]
    for i in range(0, len(ids), BATCH):
        for m in _active_memberships(ids[i:i + BATCH]):
            actives[m["person_id"]] = m
    for row in rows:
        person = people.get((row.doc_type, row.bidx)) if people and row.bidx else None
        active = actives.get(person["id"]) if person is not None else None
        if active is not None and active["union_id"] != union.pk:
            where = active["union__name"] if actor.covers(active["org_path"]) else _("another union")
            row.add("id_number", _("Already an active member of %(union)s: not imported; the member can move "
                                   "here by a transfer.") % {"union": where}, "active_elsewhere")
        if row.problems or row.duplicate:
            row.action = REFUSED
            continue
        row.active, row.person_id, row.current = active, None, None
        row.person_changes, row.membership_changes = {}, {}
        if person is not None:
            row.person_id, row.current = person["id"], person
            row.person_changes = _person_changes(person, row.person)
        if active is None:
            row.action = CREATE
        else:
            row.membership_changes = _membership_changes(active, row.membership, row.person["sex"])
            row.action = UPDATE if row.person_changes or row.membership_changes else UNCHANGED


def _person_changes(current: dict, data: dict) -> dict:
    """The person's fields the row changes; empty cells leave a field as it is. The stored phone is never
    decrypted: it is compared through its blind index."""
    out = {k: data[k] for k in PERSON_UPDATABLE if data[k] not in ("", None) and current[k] != data[k]}
    if data["phone"] and crypto.blind_index(data["phone"], kind="phone") != current["phone_bidx"]:
        out["phone"] = data["phone"]
    return out


def _membership_changes(current: dict, values: dict, sex: str) -> dict:
    out = {k: v for k, v in values.items() if current[k] != v}
    if current["is_female"] != (sex == Sex.FEMALE):
        out["is_female"] = sex == Sex.FEMALE
    return out


# --- writing a batch -------------------------------------------------------------------------------------

_PERSON_COLUMNS = ("uid", "doc_type", "id_number", "id_number_bidx", "name", "sex", "birth_date", "ethnicity",
                   "phone", "phone_bidx", "education", "political_status")
_MEMBERSHIP_COLUMNS = ("person_id", "joined_on", "job_title", "employment_form", "is_migrant_worker",
                       "is_new_employment", "is_dispatched", "is_female")


def _write(rows: list[_Row], *, union, now: datetime.datetime, today: datetime.date | None = None) -> Counter:
    """Write one classified batch: new people and memberships inserted in bulk, changed ones updated by
    groups of the same changed fields."""
    today = today or timezone.localdate()
    new_people = [r for r in rows if r.action == CREATE and r.person_id is None]
    if new_people:
        _seal([r for r in new_people if r.sealed is None])
        if connection.vendor == "postgresql":  # ids drawn from the sequence: memberships need no lookup
            for row in new_people:
                row.person_id = row.sealed[0]
            _insert(Person, [r.sealed for r in new_people], columns=("id", *_PERSON_COLUMNS),
                    same={"created_at": now, "updated_at": now})
        else:
            _insert(Person, [r.sealed for r in new_people], columns=_PERSON_COLUMNS,
                    same={"created_at": now, "updated_at": now})
            found = _person_ids(new_people)
            for row in new_people:
                row.person_id = found[(row.doc_type, row.bidx)]
    _update_grouped(Person, [(r.person_id, r.person_changes) for r in rows
                             if r.action in (CREATE, UPDATE) and r.person_changes], now)
    memberships = []
    for row in rows:
        if row.action == CREATE:
            m = row.membership
            memberships.append((row.person_id, m.get("joined_on", today), m.get("job_title", ""),
                                m.get("employment_form", ""), m.get("is_migrant_worker", False),
                                m.get("is_new_employment", False), m.get("is_dispatched", False),
                                row.person["sex"] == Sex.FEMALE))
    if memberships:
        _insert(Membership, memberships, columns=_MEMBERSHIP_COLUMNS, same={
            "union_id": union.pk, "org_path": union.path, "left_on": None, "status": MembershipStatus.ACTIVE,
            "leave_reason": "", "source": "import", "created_at": now, "updated_at": now})
    _update_grouped(Membership, [(r.active["id"], r.membership_changes) for r in rows
                                 if r.action == UPDATE and r.membership_changes], now)
    return Counter(r.action for r in rows)


def _seal(rows: list[_Row]) -> None:
    """Set each new person's ``sealed`` row: on PostgreSQL an id drawn from the sequence first, then the values
    of ``_PERSON_COLUMNS``. ID and phone numbers are sealed as their model fields seal them (``crypto.encrypt``:
    AES-GCM, the field's kind bound as associated data; here a batch at a time), with blind indexes as their
    ``pre_save`` sets them: stored exactly as ``save()`` stores them."""
    if not rows:
        return
    id_kind, phone_kind = Person._meta.get_field("id_number").kind, Person._meta.get_field("phone").kind
    people = [r.person for r in rows]
    phones = [p["phone"] for p in people]
    sealed_ids = crypto.encrypt_many([p["id_number"] for p in people], kind=id_kind)
    sealed_phones = crypto.encrypt_many(phones, kind=phone_kind)
    phone_bidxs = crypto.blind_indexes(phones, kind=phone_kind)
    ids = _new_ids(Person, len(rows)) or [None] * len(rows)
    for row, p, uid, pk, sealed_id, sealed_phone, phone_bidx in zip(
            rows, people, _uids(len(rows)), ids, sealed_ids, sealed_phones, phone_bidxs, strict=True):
        values = (uid, p["doc_type"], sealed_id, row.bidx, p["name"], p["sex"], p["birth_date"], p["ethnicity"],
                  sealed_phone, phone_bidx, p["education"], p["political_status"])
        row.sealed = values if pk is None else (pk, *values)


def _insert(model, rows: list[tuple], *, columns: tuple[str, ...], same: dict) -> None:
    """Insert ``rows``: tuples of values ready for the database (personal data already sealed) for the fields
    named in ``columns`` (attnames), plus ``same``, the values of every row, prepared once by their fields
    (``get_db_prep_save``); any other field gets its default. ``pre_save`` is not called.

    PostgreSQL: one binary ``COPY`` (the bulk-load path: no SQL to parse, no text to convert, one round trip),
    inside the caller's transaction. SQLite: one ``executemany``; ``bulk_create`` would build a model instance
    per row and send at most 999 parameters (66 people) per INSERT.
    """
    meta = model._meta
    fields = {f.attname: f for f in meta.concrete_fields}
    fixed = {**same, **{f.attname: f.get_default() for f in meta.concrete_fields
                        if not f.primary_key and f.attname not in columns and f.attname not in same}}
    names = (*columns, *fixed)
    tail = tuple(fields[a].get_db_prep_save(v, connection) for a, v in fixed.items())
    qn = connection.ops.quote_name
    table, cols = qn(meta.db_table), ", ".join(qn(fields[a].column) for a in names)
    if connection.vendor == "postgresql":
        types = [_copy_type(fields[a]) for a in names]
        binary = all(types)
        with connection.cursor() as cursor, connection.wrap_database_errors:
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")) \
                    as copy:
                if binary:
                    copy.set_types(types)
                write = copy.write_row
                for row in rows:
                    write(row + tail)
        return
    adapt = connection.ops.adapt_datefield_value
    for i in (i for i, a in enumerate(columns) if fields[a].get_internal_type() == "DateField"):
        rows = [(*row[:i], adapt(row[i]), *row[i + 1:]) for row in rows]
    sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        cursor.executemany(sql, [row + tail for row in rows])


_COPY_TYPES = {"varchar": "text", "char": "text", "text": "text", "date": "date", "boolean": "bool",
               "bigint": "int8", "integer": "int4", "smallint": "int2", "timestamp with time zone": "timestamptz"}


def _copy_type(field) -> str | None:
    """The type a binary COPY sends the field's values as (None: unknown, the COPY falls back to text)."""
    return _COPY_TYPES.get(re.sub(r"\(.*\)$", "", field.db_type(connection) or ""))


def _new_ids(model, n: int) -> list[int] | None:
    """n ids drawn from the model's id sequence (PostgreSQL), or None: the database assigns them on insert."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [model._meta.db_table, model._meta.pk.column, n])
        return [pk for (pk,) in cursor.fetchall()]


def _person_ids(rows: list[_Row]) -> dict[tuple[str, str], int]:
    by_type: dict[str, list[str]] = {}
    for r in rows:
        by_type.setdefault(r.doc_type, []).append(r.bidx)
    out = {}
    for doc_type, bidxs in by_type.items():
        qs = Person.objects.filter(doc_type=doc_type, id_number_bidx__in=bidxs)
        out.update({(doc_type, bidx): pk for bidx, pk in qs.values_list("id_number_bidx", "id")})
    return out


_UID_CHARS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # the alphabet of models.new_uid: 32 characters
_UID_TABLE = bytes(ord(_UID_CHARS[b & 31]) for b in range(256))


def _uid() -> str:
    """A public id like ``models.new_uid`` (10 characters, 50 random bits), from one urandom call."""
    return _uids(1)[0]


def _uids(n: int) -> list[str]:
    text = os.urandom(10 * n).translate(_UID_TABLE).decode("ascii")
    return [text[i:i + 10] for i in range(0, 10 * n, 10)]


def _update_grouped(model, changes: list[tuple[int, dict]], now: datetime.datetime) -> None:
    """bulk_update, one call per set of changed fields (the objects carry only their pk and those fields)."""
    groups: dict[tuple, list] = {}
    for pk, values in changes:
        obj = model(pk=pk, updated_at=now, **values)
        names = tuple(sorted(values))
        if "phone" in values:
            obj.phone_bidx = crypto.blind_index(values["phone"], kind="phone")
            names += ("phone_bidx",)
        groups.setdefault(names, []).append(obj)
    for names, objs in groups.items():
        model.objects.bulk_update(objs, [*names, "updated_at"], batch_size=BATCH)


# --- the import ------------------------------------------------------------------------------------------

Progress = Callable[[str, int, int], None]  # (phase "check" or "write", rows processed, rows expected)
# From this many rows (as estimated before reading), an import into PostgreSQL writes while it checks (_Writer).
OVERLAP_ROWS = 20_000
QUEUE_BATCHES = 8  # checked batches waiting for the writer, at most


class _Refused(Exception):
    pass


def roster_import(*, actor, union, data: tabular.Source, filename: str, dry_run: bool = False,
                  skip_invalid: bool = False, accept_over_employees: bool = False,
                  progress: Progress | None = None) -> RosterResult:
    """Import a roster into ``union``: every row, or none when any row is refused (unless ``skip_invalid``:
    then the valid rows). ``dry_run`` checks everything and writes nothing. ``data`` is the file's content,
    or its path (then it is streamed from disk, never held in memory).

    An import that would give the union more members than employees writes nothing unless
    ``accept_over_employees`` (the result says ``blocked_over_employees``; a dry run only reports it).

    Raises RosterFileError when the file cannot be read (or has no header row), PermissionDenied without
    "member.import", Http404 for a union outside the actor's scope, ValidationError for a union that takes
    no members.
    """
    actor.require("member.import")
    actor.require_covers(union.path)
    services.check_member_unit(union)
    table = tabular.open_table(data, filename, kind=KIND)
    result = RosterResult(filename=filename, union_code=union.code, dry_run=dry_run, skip_invalid=skip_invalid,
                          accept_over_employees=accept_over_employees, employees=union.employee_count or 0,
                          # The employees are the whole enterprise's: its branches' (分会) members count too.
                          members_before=Membership.objects.filter(org_path__startswith=union.path,
                                                                   status=MembershipStatus.ACTIVE).count())
    head = table.head()
    header = tabular.find_header(head, HEADERS)
    if header is None:
        raise RosterFileError(
            _("No header row was found in the first %(n)s rows. The header row names the columns, such as "
              "%(columns)s.") % {"n": tabular.HEADER_SEARCH_ROWS,
                                 "columns": "、".join(BY_KEY[k].header for k in REQUIRED)}, code="no_header")
    result.header_row = header + 1
    result.columns = tabular.map_columns(head[header], HEADERS)
    if not _check_columns(result):
        return result
    if _overlapped(table, dry_run=dry_run, skip_invalid=skip_invalid):
        return _import_overlapped(table, result, actor=actor, union=union, progress=progress)
    with _Spool() if not dry_run else contextlib.nullcontext() as spool:
        refused_lines = _check(table, result, actor=actor, union=union, progress=progress, spool=spool)
        if result.fatal or dry_run:
            return result
        if result.problems and (not skip_invalid or result.created + result.updated + result.unchanged == 0):
            _audit(actor, union, result, outcome=Outcome.FAILED)
            return result
        if result.blocked_over_employees:
            _audit(actor, union, result, outcome=Outcome.FAILED)
            return result
        if progress:
            progress("write", result.total, result.total)
        try:
            with transaction.atomic():
                _write_all(table, result, refused_lines, actor=actor, union=union, spool=spool)
                _audit(actor, union, result)
            result.committed = True
        except _Refused:
            _audit(actor, union, result, outcome=Outcome.FAILED)
        except IntegrityError:
            _conflict(result)
            _audit(actor, union, result, outcome=Outcome.FAILED)
    return result


def _conflict(result: RosterResult) -> None:
    result.problems.append(Problem(result.header_row, "", "", "", _(
        "The registry was changed by someone else during the import; nothing was written. Try again."),
        "conflict"))
    result.fatal = True


def _check_columns(result: RosterResult) -> bool:
    found = {c.key for c in result.columns if c.key}
    for key in REQUIRED:
        if key not in found:
            header = BY_KEY[key].header
            result.problems.append(Problem(result.header_row, key, header, "", _(
                "The column %(column)s is missing (also accepted: %(synonyms)s).") % {
                "column": header, "synonyms": "、".join(s for s in BY_KEY[key].synonyms if not s.isascii())},
                "missing_column"))
            result.fatal = True
    return not result.fatal


def _data_rows(table: tabular.Table, result: RosterResult, skip: set[int] | None = None) -> Iterator[_Row]:
    mapped = [(c.key, c.index) for c in result.columns if c.key]
    for line, raw in table.rows(start=result.header_row + 1):
        if skip and line in skip:
            continue
        n = len(raw)
        cells, texts, given = {}, {}, {}
        for key, i in mapped:
            value = raw[i] if i < n else ""
            cells[key] = value
            # cell_text, with its common cases inline: this runs for every cell of the file.
            kind = type(value)
            text = texts[key] = value.strip() if kind is str else value.isoformat() if kind is datetime.date \
                else cell_text(value)
            if text:
                given[key] = value
        if given:  # else a blank row (tabular.is_blank)
            yield _parse(line, cells, texts, given)


PARALLEL_ROWS = 20_000  # from this many rows (as estimated before reading), the file is parsed in a child process


class _Parser:
    """The file's rows, parsed and cleaned (``_data_rows``), in batches of BATCH.

    For a large file on a machine with a second core, in a child process: reading the sheet, ``person_clean``
    and the blind index are pure Python and would share one interpreter lock with the lookups, the duplicate
    finder, sealing and writing, which stay here. The child is forked (it shares the loaded code, the active
    language and the file's shared strings), only parses, never touches a database connection, and ends with
    ``os._exit`` (as multiprocessing's fork does), so nothing of the parent's is closed or flushed twice. Rows
    come back through a pipe, a batch at a time (the pipe holds little: the child waits while the import is
    busy). Elsewhere (a small file, one core, no fork) the rows are parsed here."""

    def __init__(self, table: tabular.Table, result: RosterResult):
        self._table, self._result, self._child = table, result, None
        if (table.estimated_rows >= PARALLEL_ROWS and (os.cpu_count() or 1) > 1
                and "fork" in multiprocessing.get_all_start_methods()):
            context = multiprocessing.get_context("fork")
            self._receive, send = context.Pipe(duplex=False)
            self._child = context.Process(target=_parse_in_child, args=(table, result, send), name="roster-parser",
                                          daemon=True)
            self._child.start()
            send.close()

    def __enter__(self) -> Iterator[list[_Row]]:
        if self._child is None:
            return tabular.in_batches(_data_rows(self._table, self._result), BATCH)
        return self._received()

    def __exit__(self, *exc) -> None:
        if self._child is not None:
            self._receive.close()
            self._child.join(timeout=5)
            if self._child.is_alive():  # the import stopped early: the child is blocked on a full pipe
                self._child.terminate()
                self._child.join()

    def _received(self) -> Iterator[list[_Row]]:
        while True:
            kind, payload = pickle.loads(self._receive.recv_bytes())  # noqa: S301 - from our own child
            if kind == "end":
                return
            if kind == "error":
                raise _rebuilt(*payload)
            yield [_Row(line=line, cells=cells, problems=problems, person=person, membership=membership,
                        doc_type=doc_type, bidx=bidx)
                   for line, cells, problems, person, membership, doc_type, bidx in payload]


def _parse_in_child(table: tabular.Table, result: RosterResult, send) -> None:
    try:
        preview = PREVIEW_ROWS
        for batch in tabular.in_batches(_data_rows(table, result), BATCH):
            rows = []
            for r in batch:
                # The cells are shown again only for a problem, in the preview, or (the ID number) for a problem
                # found later.
                cells = r.cells if r.problems or preview > 0 else {"id_number": r.cells.get("id_number", "")}
                preview -= 1
                rows.append((r.line, cells, r.problems, r.person, r.membership, r.doc_type, r.bidx))
            send.send_bytes(pickle.dumps(("rows", rows), pickle.HIGHEST_PROTOCOL))
        send.send_bytes(pickle.dumps(("end", None)))
    except BaseException as exc:  # sent to the parent, raised there
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        send.send_bytes(pickle.dumps(("error", (type(exc).__name__, messages, getattr(exc, "code", None)))))
    finally:
        send.close()


def _rebuilt(name: str, messages: list[str], code: str | None) -> Exception:
    if name == tabular.TableFileError.__name__:
        return tabular.TableFileError(messages[0], code=code)
    if name == ValidationError.__name__:
        return ValidationError(messages, code=code)
    return RuntimeError(f"parsing the file failed: {name}: {'; '.join(messages)}")


def _check(table, result: RosterResult, *, actor, union, progress: Progress | None,
           writer: "_Writer | None" = None, spool: "_Spool | None" = None, parser: "_Parser | None" = None) -> set[int]:
    """The first pass: every row checked, nothing written; each batch is kept in the spool for the write pass,
    or, with a writer, handed to it while no row has been refused. Returns the refused rows' line numbers."""
    with parser or _Parser(table, result) as batches:
        return _check_batches(batches, table, result, actor=actor, union=union, progress=progress, writer=writer,
                              spool=spool)


def _check_batches(batches: Iterable[list[_Row]], table, result: RosterResult, *, actor, union,
                   progress: Progress | None, writer: "_Writer | None", spool: "_Spool | None") -> set[int]:
    with _Seen() as seen:
        return _check_rows(batches, seen, table, result, actor=actor, union=union, progress=progress,
                           writer=writer, spool=spool)


class _Seen:
    """The duplicate finder: each person's key met so far in the file (``_Row.seen_key``) with the line of
    their first row and the action it was given (``line << 2 | action code``).

    A dict would hold about 120 bytes a row, 120 MB for a million. The keys go instead into a private temporary
    SQLite database (the file SQLite makes for the name "", deleted when closed) whose page cache is bounded,
    so memory stays flat however many rows the file has (what it writes are blind indexes, keyed hashes, never
    a number). One ``INSERT OR IGNORE`` per batch, about 4 µs a row at a million rows; only a batch in which
    fewer keys went in than were given (a person met before) is looked up."""

    CACHE_KIB = 16_384

    def __enter__(self) -> "_Seen":
        self.db = sqlite3.connect("", isolation_level=None)
        for pragma in (f"cache_size = -{self.CACHE_KIB}", "journal_mode = OFF", "synchronous = OFF",
                       "temp_store = FILE"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute("CREATE TABLE seen (key BLOB PRIMARY KEY, first INTEGER NOT NULL) WITHOUT ROWID")
        self.db.execute("BEGIN")
        return self

    def __exit__(self, *exc) -> None:
        self.db.close()

    def add(self, firsts: dict[bytes, int]) -> dict[bytes, int]:
        """Add each key (-> ``first``) not met before; returns those met before, with the ``first`` they had."""
        before = self.db.total_changes
        self.db.executemany("INSERT OR IGNORE INTO seen (key, first) VALUES (?, ?)", firsts.items())
        if self.db.total_changes - before == len(firsts):
            return {}
        return {key: first for key, first in self.firsts(firsts).items() if first != firsts[key]}

    def firsts(self, keys: Iterable[bytes]) -> dict[bytes, int]:
        """Those of ``keys`` met so far, with their ``first``."""
        out: dict[bytes, int] = {}
        for key in keys:
            if (found := self.db.execute("SELECT first FROM seen WHERE key = ?", (key,)).fetchone()) is not None:
                out[key] = found[0]
        return out


def _check_rows(batches: Iterable[list[_Row]], seen: _Seen, table, result: RosterResult, *, actor, union,
                progress: Progress | None, writer: "_Writer | None", spool: "_Spool | None") -> set[int]:
    counts: Counter = Counter()
    problems: list[tuple[int, str, str, str]] = []  # (line, key, code, message)
    values: dict[tuple[int, str], str] = {}  # the cells shown next to their problems
    repeats: dict[bytes, tuple[str, list[int]]] = {}  # a person's key -> (the number as shown, lines)
    headers = {c.key: c.header for c in result.columns if c.key}
    preview: list[tuple[int, list[str], str]] = []
    expected = max(table.estimated_rows - result.header_row, 0)
    for batch in batches:
        _classify(batch, actor=actor, union=union)
        firsts: dict[bytes, _Row] = {}  # the batch's first row of each person
        repeated: list[tuple[_Row, bytes, int]] = []  # (row, key, line of the person's first row)
        for row in batch:
            if row.bidx:
                key = row.seen_key
                if key in firsts:
                    repeated.append((row, key, firsts[key].line))
                else:
                    firsts[key] = row
        earlier = seen.add({key: row.line << 2 | _ACTION_CODES[row.action] for key, row in firsts.items()})
        repeated.extend((firsts[key], key, first >> 2) for key, first in earlier.items())
        for row, key, first in sorted(repeated, key=lambda r: r[0].line):
            repeats.setdefault(key, (row.shown("id_number"), [first]))[1].append(row.line)
            row.duplicate, row.action = True, REFUSED
        for row in batch:
            result.total += 1
            counts[row.action] += 1
            for key, code, message in row.problems:
                problems.append((row.line, key, code, message))
                values[(row.line, key)] = row.shown(key)
            if len(preview) < PREVIEW_ROWS:
                preview.append((row.line, [row.shown(k) for k in headers], row.action))
        if writer is not None and not counts[REFUSED]:
            # Sealed here, so that the writer's thread has nearly no Python to run (the two share one interpreter
            # lock) and keeps the database busy.
            _seal([r for r in batch if r.action == CREATE and r.person_id is None])
            writer.put(batch)
        if spool is not None:
            spool.add(batch)
        if progress:
            progress("check", result.total, max(expected, result.total))
    first_codes = seen.firsts(repeats)
    # The same person twice: every one of their rows is refused, the first one too.
    for key, (shown, lines) in repeats.items():
        first_action = _CODE_ACTIONS[first_codes[key] & 3]
        if first_action != REFUSED:
            counts[first_action] -= 1
            counts[REFUSED] += 1
        message = _("The same person appears more than once in the file (rows %(rows)s).") % {
            "rows": ", ".join(map(str, lines))}
        for line in lines:
            problems.append((line, "id_number", "duplicate", message))
            values.setdefault((line, "id_number"), shown)
    order = {c.key: i for i, c in enumerate(COLUMNS)}
    problems.sort(key=lambda p: (p[0], order.get(p[1], -1)))
    result.problems.extend(
        Problem(line, key, headers.get(key, BY_KEY[key].header if key else ""), values.get((line, key), ""),
                message, code)
        for line, key, code, message in problems)
    result.created, result.updated, result.unchanged = counts[CREATE], counts[UPDATE], counts[UNCHANGED]
    refused = result.refused_lines
    result.preview = [{"line": line, "cells": cells, "action": REFUSED if line in refused else action}
                      for line, cells, action in preview]
    if result.total == 0:
        result.problems.append(Problem(result.header_row, "", "", "", _("There are no rows below the header row."),
                                       "no_rows"))
        result.fatal = True
    return refused


@dataclass
class _Written:
    counts: Counter = field(default_factory=Counter)
    late: list[Problem] = field(default_factory=list)  # problems found by the write pass's own lookups


def _write_batch(batch: list[_Row], written: _Written, result: RosterResult, *, actor, union,
                 now: datetime.datetime, today: datetime.date, new_checked: bool = False) -> None:
    """Look the batch up again (the registry may have changed since the check) and write it.

    ``new_checked``: the rows were looked up a moment ago (the overlapped write); only those of people already
    registered are looked up again. A new person registered meanwhile by someone else makes the insert break
    the unique constraint on their document, and the import is refused as a conflict."""
    _classify([r for r in batch if r.person_id is not None] if new_checked else batch, actor=actor, union=union)
    headers = {c.key: c.header for c in result.columns if c.key}
    for row in batch:
        for key, code, message in row.problems:
            written.late.append(Problem(row.line, key, headers.get(key, ""), row.shown(key), message, code))
    if written.late and not result.skip_invalid:
        return  # refused: check the rest, write nothing more
    written.counts.update(_write(batch, union=union, now=now, today=today))


def _settle(result: RosterResult, written: _Written) -> None:
    """The write pass's outcome into the result, inside its transaction (raises _Refused to roll it back).
    On PostgreSQL the deferred foreign keys are checked now, before the audit event takes the chain's lock."""
    if written.late:
        result.problems = sorted([*result.problems, *written.late], key=lambda p: p.row)
        if not result.skip_invalid:
            raise _Refused
    result.created, result.updated, result.unchanged = (written.counts[CREATE], written.counts[UPDATE],
                                                        written.counts[UNCHANGED])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _write_all(table, result: RosterResult, refused_lines: set[int], *, actor, union,
               spool: "_Spool | None" = None) -> None:
    """The second pass, inside the transaction: the checked rows (from the spool, else read and checked again)
    are looked up again and written batch by batch."""
    now, today = timezone.now(), timezone.localdate()
    written = _Written()
    batches = spool.batches(skip=refused_lines) if spool is not None else \
        tabular.in_batches(_data_rows(table, result, skip=refused_lines), BATCH)
    for batch in batches:
        _write_batch(batch, written, result, actor=actor, union=union, now=now, today=today)
    _settle(result, written)


class _Spool:
    """The checked rows kept for the write pass, so that it need not read and check the file again: a batch at a
    time, pickled into an anonymous temporary file (no name on disk; gone with the process). The rows hold ID
    and phone numbers in clear, so each batch is sealed (AES-GCM) with a key that exists only in this process's
    memory."""

    def __init__(self):
        self._file = tempfile.TemporaryFile()  # closed by __exit__
        self._key = AESGCM(AESGCM.generate_key(bit_length=128))

    def __enter__(self) -> "_Spool":
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()

    def add(self, rows: list[_Row]) -> None:
        # Of the cells, only the ID number is shown again (next to a problem the write pass finds).
        data = pickle.dumps([(r.line, r.cells.get("id_number", ""), r.doc_type, r.bidx, r.person, r.membership)
                             for r in rows], protocol=pickle.HIGHEST_PROTOCOL)
        nonce = os.urandom(12)
        sealed = self._key.encrypt(nonce, data, None)
        self._file.write(len(sealed).to_bytes(8, "big") + nonce + sealed)

    def batches(self, *, skip: set[int]) -> Iterator[list[_Row]]:
        self._file.flush()
        self._file.seek(0)
        while head := self._file.read(20):
            sealed = self._file.read(int.from_bytes(head[:8], "big"))
            rows = pickle.loads(self._key.decrypt(head[8:], sealed, None))  # noqa: S301 - written above, sealed
            batch = [_Row(line=line, cells={"id_number": number}, doc_type=doc_type, bidx=bidx, person=person,
                          membership=membership)
                     for line, number, doc_type, bidx, person, membership in rows if line not in skip]
            if batch:
                yield batch


def _overlapped(table: tabular.Table, *, dry_run: bool, skip_invalid: bool) -> bool:
    """Whether to write while checking: a large all-or-nothing import into PostgreSQL, not inside a caller's
    transaction (the writer's connection would not see that transaction's rows, nor roll back with it)."""
    return (not dry_run and not skip_invalid and connection.vendor == "postgresql"
            and not connection.in_atomic_block and table.estimated_rows >= OVERLAP_ROWS)


class _Writer:
    """The write pass run alongside the check. Writing a row costs the database more than checking it costs
    Python, and the two can run on different cores: each batch that passed the check goes through a bounded
    queue to this thread, which looks it up again and writes it on its own connection, inside ONE transaction.
    That transaction commits only once the check has passed every row (a row refused later, say the second
    occurrence of a person, rolls everything back), so the import stays all or nothing, and the check's
    progress, written on the caller's connection outside the transaction, stays visible."""

    def __init__(self, *, actor, union, result: RosterResult):
        self.actor, self.union, self.result = actor, union, result
        self.queue: queue.Queue = queue.Queue(maxsize=QUEUE_BATCHES)
        self.commit = False
        self.stopped = False  # set by the thread when it writes nothing more: batches need not be sent
        self.committed = False
        self.conflict = False
        self.error: BaseException | None = None
        self.late: list[Problem] = []
        self.language = translation.get_language()
        self.now, self.today = timezone.now(), timezone.localdate()
        self.thread = threading.Thread(target=self._run, name="roster-writer", daemon=True)
        self.thread.start()

    def put(self, batch: list[_Row]) -> None:
        if not self.stopped:
            self.queue.put(batch)

    def finish(self, *, commit: bool) -> None:
        """End the stream of batches and wait for the commit (or the rollback)."""
        self.commit = commit
        self.queue.put(None)
        self.thread.join()

    def _run(self) -> None:
        ended = False
        try:
            with translation.override(self.language), transaction.atomic():
                with connection.cursor() as cursor:
                    # Foreign keys checked batch by batch while the check goes on, not all at the commit.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                written = _Written()
                while (batch := self.queue.get()) is not None:
                    if not written.late:
                        _write_batch(batch, written, self.result, actor=self.actor, union=self.union,
                                     now=self.now, today=self.today, new_checked=True)
                        self.stopped = bool(written.late)
                ended = True
                self.late = written.late
                if not self.commit:
                    raise _Refused
                _settle(self.result, written)
                _audit(self.actor, self.union, self.result)
            self.committed = True
        except _Refused:
            pass
        except IntegrityError:
            self.conflict = True
        except BaseException as exc:  # re-raised by the caller's thread
            self.error = exc
        finally:
            self.stopped = True
            if not ended:
                while self.queue.get() is not None:
                    pass
            connection.close()


def _import_overlapped(table, result: RosterResult, *, actor, union, progress: Progress | None) -> RosterResult:
    parser = _Parser(table, result)  # forked before the writer's thread exists
    try:
        writer = _Writer(actor=actor, union=union, result=result)
    except BaseException:
        parser.__exit__(None, None, None)
        raise
    try:
        _check(table, result, actor=actor, union=union, progress=progress, writer=writer, parser=parser)
    except BaseException:
        writer.finish(commit=False)
        raise
    if result.fatal or result.problems or result.blocked_over_employees:
        writer.finish(commit=False)
        if not result.fatal:
            _audit(actor, union, result, outcome=Outcome.FAILED)
        return result
    if progress:
        progress("write", result.total, result.total)
    writer.finish(commit=True)
    if writer.error is not None:
        raise writer.error
    if writer.committed:
        result.committed = True
        return result
    if writer.conflict:
        _conflict(result)
    elif writer.late:
        result.problems = sorted([*result.problems, *writer.late], key=lambda p: p.row)
    _audit(actor, union, result, outcome=Outcome.FAILED)
    return result


def _audit(actor, union, result: RosterResult, outcome: str = Outcome.SUCCESS) -> None:
    audit.record(actor=actor, action="member.import", object_type="org", object_id=union.code,
                 scope_path=union.path, outcome=outcome, details={
                     "file": result.filename[:200], "union": union.code, "rows": result.total,
                     "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                     "refused": result.refused, "skip_invalid": result.skip_invalid,
                     "over_employees": result.over_employees,
                     "accept_over_employees": result.accept_over_employees})


# --- the error report and the template -------------------------------------------------------------------


def problems_report(result: RosterResult, data: tabular.Source, filename: str) -> bytes:
    """The refused rows as they are in the file, each with its row number (行号) and its problems (问题);
    problems with the file as a whole are note lines above the header."""
    by_line, notes = tabular.problems_by_row(result.problems, result.header_row)
    table = tabular.open_table(data, filename, kind=KIND)
    header_cells: list = []
    if result.header_row:
        for _line, cells in table.rows(start=result.header_row):
            header_cells = list(cells)
            break
    rows = ((line, "；".join(by_line[line]), list(cells))
            for line, cells in table.rows(start=result.header_row + 1) if line in by_line)
    return tabular.problems_xlsx(header=header_cells, rows=rows, notes=notes)


def template_xlsx() -> bytes:
    """An empty roster: the header row, the ID and phone columns formatted as text (so Excel keeps every
    digit), and a second sheet explaining each column."""
    import io

    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("会员名册")
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2"})
    text = book.add_format({"num_format": "@"})
    for c, col in enumerate(COLUMNS):
        sheet.write_string(0, c, col.header, bold)
        sheet.set_column(c, c, max(10, len(col.header) * 2 + 4), text if col.key in ("id_number", "phone") else None)
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet("填写说明")
    for c, h in enumerate(("列名", "也可写作", "填写要求")):
        notes.write_string(0, c, h, bold)
    notes.set_column(0, 1, 24)
    notes.set_column(2, 2, 80)
    for r, col in enumerate(COLUMNS, start=1):
        notes.write_string(r, 0, col.header + (" *" if col.key in REQUIRED else ""))
        notes.write_string(r, 1, "、".join(s for s in col.synonyms if not s.isascii()))
        notes.write_string(r, 2, str(col.help))
    book.close()
    return out.getvalue()
