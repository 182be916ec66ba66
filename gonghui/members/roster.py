"""Roster import: members added to one union from a spreadsheet, all or nothing (or only the valid rows).

The file is read twice, each time streamed in batches of ``BATCH`` rows, so memory stays bounded by a batch
(plus one blind index per row, to find the same person twice in the file):

1. The check (read-only, outside any transaction). Every row is parsed (Chinese headers and their
   synonyms, full-width characters, dates in the usual spellings, Chinese labels for the choices) and
   cleaned by ``services.person_clean``; the people already registered and their active memberships are
   looked up by blind index, one ``IN`` query per batch. The progress callback runs after each batch and,
   as no transaction is open, other connections (the page polling a job) see it.
2. The write, when the check allows it, inside ONE ``transaction.atomic()``: the rows are read and looked up
   again (the registry may have changed since the check) and written with ``bulk_create`` / ``bulk_update``
   per batch, with one audit event for the whole import. A crash or a kill leaves the database as it was.
   Progress written inside this transaction would stay invisible to other connections until the commit
   (and on SQLite no other connection can write meanwhile), so the write reports only its start.

``member_add`` is not called per row: it records an audit event and runs several queries per row, far too
slow for a roster of a large union; the rules are the same (``person_clean``, ``membership_values``,
``check_joined_on``, one active membership per person).
"""

import datetime
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
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
            "problems_total": len(self.problems),
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

    @property
    def key(self) -> str:
        return self.bidx if self.doc_type == DocumentType.RESIDENT_ID else f"{self.doc_type}:{self.bidx}"

    def shown(self, key: str) -> str:
        """The cell as shown next to a problem or in the preview (ID and phone numbers masked)."""
        return _display(key, self.cells.get(key, ""))

    def add(self, key: str, message, code: str = "") -> None:
        self.problems.append((key, code or key or "row", str(message)))

    def flagged(self, key: str) -> bool:
        return any(k == key for k, _c, _m in self.problems)


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


def _id_as_number(raw) -> str:
    return _("The ID number %(value)s was stored by Excel as a number and lost its last digits; "
             "format the column as text and type it again.") % {"value": f"{float(raw):.5E}"}


def _parse(line: int, cells: dict) -> _Row:
    row = _Row(line=line, cells=cells)
    texts = {k: cell_text(v) for k, v in cells.items()}
    given = {k: v for k, v in cells.items() if texts[k] != ""}
    kw: dict = {"id_number": ""}
    choices = {}  # choices are checked here (person_clean would only check the value is one of them)
    if "doc_type" in given:
        try:
            row.doc_type = _choice(_DOCS, DOC_LABELS, texts["doc_type"])
        except ValidationError as exc:
            row.add("doc_type", exc.messages[0], "choice")
    kw["doc_type"] = row.doc_type
    raw_id = given.get("id_number", "")
    if raw_id == "":
        row.add("id_number", _("The ID number is missing."), "required")
    elif _is_number(raw_id) and abs(raw_id) >= 1e15:
        row.add("id_number", _id_as_number(raw_id), "id_as_number")
    else:
        kw["id_number"] = cell_text(raw_id)
    kw["name"] = _clean_name(given.get("name", ""))
    if "sex" in given:
        try:
            kw["sex"] = _choice(_SEXES, SEX_LABELS, texts["sex"])
        except ValidationError as exc:
            row.add("sex", exc.messages[0], "choice")
    birth_month = None
    if "birth_date" in given:
        try:
            birth, month_only = _date(given["birth_date"])
            if month_only:
                birth_month = birth
            else:
                kw["birth_date"] = birth
        except ValidationError as exc:
            row.add("birth_date", exc.messages[0], "date")
    if "phone" in given:
        kw["phone"] = texts["phone"]
    if "ethnicity" in given:
        kw["ethnicity"] = re.sub(r"\s+", "", to_halfwidth(texts["ethnicity"]))
        if len(kw["ethnicity"]) > 20:
            row.add("ethnicity", _("At most %(n)s characters.") % {"n": 20}, "too_long")
    for key, table, labels in (("education", _EDUCATIONS, EDUCATION_LABELS),
                               ("political_status", _POLITICAL, POLITICAL_LABELS)):
        if key in given:
            try:
                choices[key] = _choice(table, labels, texts[key])
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
            fields["joined_on"], _month = _date(given["joined_on"])
            services.check_joined_on(fields["joined_on"])
        except ValidationError as exc:
            fields.pop("joined_on", None)
            row.add("joined_on", exc.messages[0], "joined_on")
    if "job_title" in given:
        fields["job_title"] = re.sub(r"\s+", " ", to_halfwidth(texts["job_title"])).strip()
        if len(fields["job_title"]) > 50:
            row.add("job_title", _("At most %(n)s characters.") % {"n": 50}, "too_long")
    if "employment_form" in given:
        try:
            fields["employment_form"] = _choice(_EMPLOYMENT, EMPLOYMENT_LABELS, texts["employment_form"])
        except ValidationError as exc:
            row.add("employment_form", exc.messages[0], "choice")
    for key in ("is_migrant_worker", "is_new_employment", "is_dispatched"):
        if key in given:
            try:
                fields[key] = parse_bool(to_halfwidth(texts[key]))
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


def _classify(rows: list[_Row], *, actor, union) -> None:
    """Look the batch's people up (one query for people, one for their active memberships; plain values,
    never the encrypted fields) and set each row's action: create (a new person, or a person with no active
    membership), update / unchanged (already an active member of this union), or a problem (an active
    member of another union: a transfer)."""
    bidxs = list({r.bidx for r in rows if r.bidx})
    people: dict[tuple[str, str], dict] = {}
    for i in range(0, len(bidxs), BATCH):
        for values in Person.objects.filter(id_number_bidx__in=bidxs[i:i + BATCH]).values_list(*_PERSON_LOAD):
            p = dict(zip(_PERSON_LOAD, values, strict=True))
            people[(p["doc_type"], p["id_number_bidx"])] = p
    actives: dict[int, dict] = {}
    ids = [p["id"] for p in people.values()]
    for i in range(0, len(ids), BATCH):
        qs = Membership.objects.filter(person_id__in=ids[i:i + BATCH], status=MembershipStatus.ACTIVE)
        for values in qs.values_list(*_MEMBERSHIP_LOAD):
            m = dict(zip(_MEMBERSHIP_LOAD, values, strict=True))
            actives[m["person_id"]] = m
    for row in rows:
        person = people.get((row.doc_type, row.bidx)) if row.bidx else None
        active = actives.get(person["id"]) if person is not None else None
        if active is not None and active["union_id"] != union.pk:
            where = active["union__name"] if actor.covers(active["org_path"]) else _("another union")
            row.add("id_number", _("Already an active member of %(union)s: not imported; the member can move "
                                   "here by a transfer.") % {"union": where}, "active_elsewhere")
        if row.problems or row.duplicate:
            row.action = REFUSED
            continue
        row.active = active
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


def _write(rows: list[_Row], *, union, now: datetime.datetime) -> Counter:
    """Write one classified batch: new people and memberships inserted in bulk, changed ones updated by
    groups of the same changed fields."""
    today = timezone.localdate()
    new_people = [r for r in rows if r.action == CREATE and r.person_id is None]
    if new_people:
        _insert(Person, [{
            **{k: r.person[k] for k in services.PERSON_FIELDS}, "uid": _uid(), "id_number_bidx": r.bidx,
            "phone_bidx": crypto.blind_index(r.person["phone"], kind="phone") if r.person["phone"] else ""}
            for r in new_people], same={"created_at": now, "updated_at": now})
        ids = _person_ids([r.bidx for r in new_people])
        for row in new_people:
            row.person_id = ids[(row.doc_type, row.bidx)]
    _update_grouped(Person, [(r.person_id, r.person_changes) for r in rows
                             if r.action in (CREATE, UPDATE) and r.person_changes], now)
    memberships = []
    for row in rows:
        if row.action == CREATE:
            memberships.append({
                "is_migrant_worker": False, "is_new_employment": False, "is_dispatched": False, "job_title": "",
                "employment_form": "", **row.membership, "joined_on": row.membership.get("joined_on", today),
                "person_id": row.person_id, "is_female": row.person["sex"] == Sex.FEMALE})
    if memberships:
        _insert(Membership, memberships, same={
            "union_id": union.pk, "org_path": union.path, "left_on": None, "status": MembershipStatus.ACTIVE,
            "leave_reason": "", "source": "import", "created_at": now, "updated_at": now})
    _update_grouped(Membership, [(r.active["id"], r.membership_changes) for r in rows
                                 if r.action == UPDATE and r.membership_changes], now)
    return Counter(r.action for r in rows)


def _insert(model, rows: list[dict], same: dict | None = None) -> None:
    """INSERT the rows (dicts by attname) with one executemany: half the CPU time of ``bulk_create``, which
    builds a model instance per row and, on SQLite, sends at most 999 parameters (66 people) per INSERT.

    Values are prepared by the model fields themselves (``get_db_prep_save``), so personal data is
    encrypted exactly as by ``save()``. ``pre_save`` is not called: blind indexes and timestamps must be in
    the rows, or in ``same`` (values of every row, prepared once); a field missing from both gets its default.
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
           f"VALUES ({', '.join(['%s'] * len(fields))})")  # names from the model, values as parameters
    same = {f.attname: f.get_db_prep_save(same[f.attname], connection) for f in fields if f.attname in (same or {})}
    per_row = [f for f in fields if f.attname not in same]
    prepared = []
    for row in rows:
        values = {f.attname: f.get_db_prep_save(row[f.attname] if f.attname in row else f.get_default(), connection)
                  for f in per_row}
        prepared.append(tuple(same[f.attname] if f.attname in same else values[f.attname] for f in fields))
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)


def _person_ids(bidxs: list[str]) -> dict[tuple[str, str], int]:
    qs = Person.objects.filter(id_number_bidx__in=bidxs).values_list("doc_type", "id_number_bidx", "id")
    return {(doc_type, bidx): pk for doc_type, bidx, pk in qs}


_UID_CHARS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # the alphabet of models.new_uid: 32 characters


def _uid() -> str:
    """A public id like ``models.new_uid`` (10 characters, 50 random bits), from one urandom call."""
    return "".join(_UID_CHARS[b & 31] for b in os.urandom(10))


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


class _Refused(Exception):
    pass


def roster_import(*, actor, union, data: bytes, filename: str, dry_run: bool = False, skip_invalid: bool = False,
                  progress: Progress | None = None) -> RosterResult:
    """Import a roster into ``union``: every row, or none when any row is refused (unless ``skip_invalid``:
    then the valid rows). ``dry_run`` checks everything and writes nothing.

    Raises RosterFileError when the file cannot be read (or has no header row), PermissionDenied without
    "member.import", Http404 for a union outside the actor's scope, ValidationError for a union that takes
    no members.
    """
    actor.require("member.import")
    actor.require_covers(union.path)
    services.check_member_unit(union)
    table = tabular.open_table(data, filename)
    result = RosterResult(filename=filename, union_code=union.code, dry_run=dry_run, skip_invalid=skip_invalid)
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
    refused_lines = _check(table, result, actor=actor, union=union, progress=progress)
    if result.fatal or dry_run:
        return result
    if result.problems and (not skip_invalid or result.created + result.updated + result.unchanged == 0):
        _audit(actor, union, result, outcome=Outcome.FAILED)
        return result
    if progress:
        progress("write", result.total, result.total)
    try:
        with transaction.atomic():
            _write_all(table, result, refused_lines, actor=actor, union=union)
            _audit(actor, union, result)
        result.committed = True
    except _Refused:
        _audit(actor, union, result, outcome=Outcome.FAILED)
    except IntegrityError:
        result.problems.append(Problem(result.header_row, "", "", "", _(
            "The registry was changed by someone else during the import; nothing was written. Try again."),
            "conflict"))
        result.fatal = True
        _audit(actor, union, result, outcome=Outcome.FAILED)
    return result


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
        cells = {key: (raw[i] if i < len(raw) else "") for key, i in mapped}
        if tabular.is_blank(cells.values()):
            continue
        yield _parse(line, cells)


def _check(table, result: RosterResult, *, actor, union, progress: Progress | None) -> set[int]:
    """The first pass: every row checked, nothing written. Returns the refused rows' line numbers."""
    counts: Counter = Counter()
    problems: list[tuple[int, str, str, str]] = []  # (line, key, code, message)
    values: dict[tuple[int, str], str] = {}  # the cells shown next to their problems
    seen: dict[str, int] = {}  # a person's key -> first line << 2 | action code
    repeats: dict[str, tuple[str, list[int]]] = {}  # a person's key -> (the number as shown, lines)
    preview: list[_Row] = []
    expected = max(table.estimated_rows - result.header_row, 0)
    for batch in tabular.in_batches(_data_rows(table, result), BATCH):
        for row in batch:
            if row.bidx:
                first = seen.get(row.key)
                if first is None:
                    seen[row.key] = row.line << 2  # the action is filled in below
                else:
                    repeats.setdefault(row.key, (row.shown("id_number"), [first >> 2]))[1].append(row.line)
                    row.duplicate = True
        _classify(batch, actor=actor, union=union)
        for row in batch:
            result.total += 1
            counts[row.action] += 1
            if row.bidx and seen[row.key] >> 2 == row.line:
                seen[row.key] = row.line << 2 | _ACTION_CODES[row.action]
            for key, code, message in row.problems:
                problems.append((row.line, key, code, message))
                values[(row.line, key)] = row.shown(key)
            if len(preview) < PREVIEW_ROWS:
                preview.append(row)
        if progress:
            progress("check", result.total, max(expected, result.total))
    # The same person twice: every one of their rows is refused, the first one too.
    for key, (shown, lines) in repeats.items():
        first_action = _CODE_ACTIONS[seen[key] & 3]
        if first_action != REFUSED:
            counts[first_action] -= 1
            counts[REFUSED] += 1
        message = _("The same person appears more than once in the file (rows %(rows)s).") % {
            "rows": ", ".join(map(str, lines))}
        for line in lines:
            problems.append((line, "id_number", "duplicate", message))
            values.setdefault((line, "id_number"), shown)
    headers = {c.key: c.header for c in result.columns if c.key}
    order = {c.key: i for i, c in enumerate(COLUMNS)}
    problems.sort(key=lambda p: (p[0], order.get(p[1], -1)))
    result.problems.extend(
        Problem(line, key, headers.get(key, BY_KEY[key].header if key else ""), values.get((line, key), ""),
                message, code)
        for line, key, code, message in problems)
    result.created, result.updated, result.unchanged = counts[CREATE], counts[UPDATE], counts[UNCHANGED]
    refused = result.refused_lines
    result.preview = [{"line": r.line, "cells": [r.shown(k) for k in headers],
                       "action": REFUSED if r.line in refused else r.action} for r in preview]
    if result.total == 0:
        result.problems.append(Problem(result.header_row, "", "", "", _("There are no rows below the header row."),
                                       "no_rows"))
        result.fatal = True
    return refused


def _write_all(table, result: RosterResult, refused_lines: set[int], *, actor, union) -> None:
    """The second pass, inside the transaction: the rows are looked up again and written batch by batch."""
    now = timezone.now()
    counts: Counter = Counter()
    late: list[Problem] = []
    headers = {c.key: c.header for c in result.columns if c.key}
    for batch in tabular.in_batches(_data_rows(table, result, skip=refused_lines), BATCH):
        _classify(batch, actor=actor, union=union)
        for row in batch:
            for key, code, message in row.problems:
                late.append(Problem(row.line, key, headers.get(key, ""), row.shown(key), message, code))
        if late and not result.skip_invalid:
            continue  # refused: check the rest, write nothing more
        counts.update(_write(batch, union=union, now=now))
    if late:
        result.problems = sorted([*result.problems, *late], key=lambda p: p.row)
        if not result.skip_invalid:
            raise _Refused
    result.created, result.updated, result.unchanged = counts[CREATE], counts[UPDATE], counts[UNCHANGED]


def _audit(actor, union, result: RosterResult, outcome: str = Outcome.SUCCESS) -> None:
    audit.record(actor=actor, action="member.import", object_type="org", object_id=union.code,
                 scope_path=union.path, outcome=outcome, details={
                     "file": result.filename[:200], "union": union.code, "rows": result.total,
                     "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                     "refused": result.refused, "skip_invalid": result.skip_invalid})


# --- the error report and the template -------------------------------------------------------------------


def problems_report(result: RosterResult, data: bytes, filename: str) -> bytes:
    """The refused rows as they are in the file, each with its row number (行号) and its problems (问题);
    problems with the file as a whole are note lines above the header."""
    by_line: dict[int, list[str]] = {}
    notes = []
    for p in result.problems:
        text = f"{p.column}：{p.message}" if p.column else p.message
        if p.row <= result.header_row:
            notes.append(text)
        else:
            by_line.setdefault(p.row, []).append(text)
    table = tabular.open_table(data, filename)
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
