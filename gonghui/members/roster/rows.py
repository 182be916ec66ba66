"""Parsing one row of a roster: names, dates in the usual spellings, choices, the person and the membership."""

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gonghui.core import crypto, identity
from gonghui.core.identity import DocumentType, mask, to_halfwidth
from gonghui.core.spreadsheets import cell_text, parse_bool, parse_date

from .. import services
from .columns import (
    _DOCS,
    _EDUCATIONS,
    _EMPLOYMENT,
    _POLITICAL,
    _SEXES,
    BY_KEY,
    DOC_LABELS,
    EDUCATION_LABELS,
    EMPLOYMENT_LABELS,
    POLITICAL_LABELS,
    SEX_LABELS,
    _choice,
)

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


