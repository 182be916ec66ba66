"""Entering the State Council's holiday arrangement for a year: parse it from text or a spreadsheet, then
replace the year's rows in one audited transaction.

The arrangement is announced late each year, so an administrator pastes it (or uploads a sheet) with
lines such as ``2027-02-06~2027-02-12 休 春节`` and ``2027-02-14 班 春节调休``. Every bad line is reported
at once, by number, so the whole text can be fixed in one pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from . import audit
from .models import HolidayDay, HolidayYear
from .workdays import SPAN_FIRST, SPAN_LAST, reset_index

# One entry of an arrangement: (date, is a working day, name).
ArrangementDay = tuple[date, bool, str]

NAME_MAX = HolidayDay._meta.get_field("name").max_length

# The type column: a day off or a (make-up) working day. Longer words first, so 休息日 is not read as 休.
_HOLIDAY_WORDS = ("放假", "休息日", "休息", "休假", "休")
_WORK_WORDS = ("上班", "补班", "工作日", "班")
_KINDS = {**dict.fromkeys(_HOLIDAY_WORDS, False), **dict.fromkeys(_WORK_WORDS, True)}

_DATE = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?|\d{8}|\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
_RANGE_SEP = r"~|〜|至|到|—|–"
_SEPARATORS = r"[\s,、;:]"
_LINE = re.compile(
    rf"^(?P<start>{_DATE})(?:\s*(?:{_RANGE_SEP})\s*(?P<end>{_DATE}))?{_SEPARATORS}*"
    rf"(?P<kind>{'|'.join(sorted(_KINDS, key=len, reverse=True))}|[^\s,、;:]+)"
    rf"(?:{_SEPARATORS}*(?P<name>.*))?$"
)
_FULL = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})日?$")
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, allowing for its phantom 1900-02-29


def _normalize(text: str) -> str:
    # NFKC turns full-width digits, letters, ～, ＃ and the ideographic space into their ASCII forms.
    return unicodedata.normalize("NFKC", text).strip()


def _parse_date(token: str, year: int | None) -> date:
    """A date written 2027-01-01, 2027/1/1, 2027.1.1, 2027年1月1日 or 20270101; without its year (1月1日),
    in ``year`` when one is given. Raises ValueError with the message to show."""
    token = re.sub(r"\s+", "", _normalize(token))
    m = _FULL.match(token) or _COMPACT.match(token)
    short = None if m else _MONTH_DAY.match(token)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    elif short and year is not None:
        y, mo, d = year, int(short[1]), int(short[2])
    else:
        raise ValueError(_("“%(value)s” is not a date; write it as %(example)s.") % {
            "value": token, "example": f"{year or 2027}-01-31"})
    try:
        return date(y, mo, d)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a valid date.") % {"value": token}) from None


def parse_date(value: str) -> date:
    """A full date as a person types it (2027-01-01, 2027/1/1, 2027年1月1日); ValueError with a message."""
    return _parse_date(value, None)


def _kind(value: str) -> bool:
    """True for a working day (班/上班), False for a day off (休/放假); ValueError otherwise."""
    word = re.sub(r"\s+", "", _normalize(value))
    if word in _KINDS:
        return _KINDS[word]
    raise ValueError(_("the type “%(value)s” must be 休 (放假, a day off) or 班 (上班, a working day).") % {
        "value": word})


def _date_range(start: date, end: date | None) -> list[date]:
    if end is None:
        return [start]
    if end < start:
        raise ValueError(_("the range %(start)s~%(end)s ends before it starts.") % {
            "start": start, "end": end})
    return [start + timedelta(days=k) for k in range((end - start).days + 1)]


def _located(where: str, message: str) -> ValidationError:
    return ValidationError(_("%(where)s: %(message)s") % {"where": where, "message": message}, code="invalid")


# An entry as read, with its line or row number and label for messages: (number, where, date, work, name).
_Located = tuple[int, str, date, bool, str]
# An error with the line or row number it is sorted by.
_NumberedError = tuple[int, ValidationError]


def _check_days(year: int, entries: Iterable[_Located]) -> list[_NumberedError]:
    """The rules every arrangement follows. ``where`` may be "" when the date itself is the best pointer."""
    errors: list[_NumberedError] = []
    seen: dict[date, str] = {}
    for number, where, day, is_work, name in entries:
        messages = []
        if day.year != year:
            messages.append(_("%(date)s is not in %(year)s.") % {"date": day, "year": year})
        elif is_work and day.weekday() < 5:
            messages.append(_("%(date)s is a %(weekday)s; a make-up working day (班) must be a Saturday or "
                              "Sunday.") % {"date": day, "weekday": WEEKDAYS[day.weekday()]})
        if day not in seen:
            seen[day] = where
        elif seen[day]:
            messages.append(_("%(date)s is given more than once (first at %(first)s).") % {
                "date": day, "first": seen[day].lower()})
        else:
            messages.append(_("%(date)s is given more than once.") % {"date": day})
        if len(name) > NAME_MAX:
            messages.append(_("the name of %(date)s is longer than %(max)s characters.") % {
                "date": day, "max": NAME_MAX})
        for message in messages:
            errors.append((number, _located(where, message) if where
                           else ValidationError(message[:1].upper() + message[1:], code="invalid")))
    return errors


def _check_year(year: int) -> None:
    if not isinstance(year, int) or not SPAN_FIRST.year <= year <= SPAN_LAST.year:
        raise ValidationError(_("The year must be between %(first)s and %(last)s; “%(value)s” is not.") % {
            "first": SPAN_FIRST.year, "last": SPAN_LAST.year, "value": year}, code="invalid")


def _finish(year: int, located: list[_Located], errors: list[_NumberedError],
            empty_message: str) -> list[ArrangementDay]:
    errors.extend(_check_days(year, located))
    if not located and not errors:
        errors.append((0, ValidationError(empty_message, code="empty")))
    if errors:
        raise ValidationError([e for _n, e in sorted(errors, key=lambda pair: pair[0])])
    return sorted((d, w, name) for _n, _where, d, w, name in located)


def parse_arrangement_text(year: int, text: str) -> list[ArrangementDay]:
    """Read an arrangement typed or pasted as lines ``DATE[~DATE] 休|班 [NAME]``.

    Blank lines and ``#`` comments are skipped; full-width characters are accepted; a date may leave out
    the year. Raises one ValidationError naming every bad line."""
    _check_year(year)
    located: list[_Located] = []
    errors: list[_NumberedError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _normalize(raw).split("#", 1)[0].strip()
        if not line:
            continue
        where = _("Line %(number)s") % {"number": number}
        m = _LINE.match(line)
        if m is None:
            errors.append((number, _located(where, _(
                "cannot read “%(line)s”; write a date or a range, then 休 or 班, then the name, "
                "as in “%(year)s-02-06~%(year)s-02-12 休 春节”.") % {"line": line, "year": year})))
            continue
        try:
            start = _parse_date(m["start"], year)
            end = _parse_date(m["end"], year) if m["end"] else None
            is_work = _kind(m["kind"])
            days = _date_range(start, end)
        except ValueError as exc:
            errors.append((number, _located(where, str(exc))))
            continue
        if end is not None and (start.year != year or end.year != year):
            # One message for the range, not one per day of it.
            message = _("the range %(start)s~%(end)s is not inside %(year)s.") % {
                "start": start, "end": end, "year": year}
            errors.append((number, _located(where, message)))
            continue
        name = (m["name"] or "").strip()
        located.extend((number, where, d, is_work, name) for d in days)
    return _finish(year, located, errors, _("No days were found in the text."))


_HEADERS = {
    "date": ("日期", "date", "日期范围"),
    "kind": ("类型", "type", "休/班", "放假/上班", "性质"),
    "name": ("名称", "name", "节日", "节假日", "假日名称"),
}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _normalize(str(value))


def _cell_dates(value, year: int) -> list[date]:
    """A spreadsheet date cell: a date or datetime, an Excel serial number, or text (a date or a range)."""
    if isinstance(value, datetime):
        return [value.date()]
    if isinstance(value, date):
        return [value]
    text = _cell_text(value)
    if (isinstance(value, int | float) and not isinstance(value, bool)) or re.fullmatch(r"\d{5}", text):
        serial = float(value if not isinstance(value, str) else text)
        if not 1 <= serial < 2958466:  # Excel's last day is 9999-12-31
            raise ValueError(_("“%(value)s” is not a date.") % {"value": text})
        return [_EXCEL_EPOCH + timedelta(days=int(serial))]
    m = re.fullmatch(rf"(?P<start>{_DATE})(?:\s*(?:{_RANGE_SEP})\s*(?P<end>{_DATE}))?", text)
    if m is None:
        raise ValueError(_("“%(value)s” is not a date; write it as %(example)s.") % {
            "value": text, "example": f"{year}-01-31"})
    start = _parse_date(m["start"], year)
    return _date_range(start, _parse_date(m["end"], year) if m["end"] else None)


def parse_arrangement_rows(year: int, rows: Iterable[Sequence]) -> list[ArrangementDay]:
    """Read an arrangement from spreadsheet rows (as python-calamine or csv gives them).

    The first non-blank row is the header, naming the columns 日期 and 类型, and optionally 名称. Row numbers
    in messages are the sheet's (the first row is 1). Raises one ValidationError naming every bad row."""
    _check_year(year)
    located: list[_Located] = []
    errors: list[_NumberedError] = []
    columns: dict[str, int] | None = None
    for number, row in enumerate(rows, start=1):
        cells = [_cell_text(c) if not isinstance(c, date) else c for c in row]
        if all(c == "" for c in cells):
            continue
        where = _("Row %(number)s") % {"number": number}
        if columns is None:
            found = {str(c).lower(): k for k, c in enumerate(cells)}
            columns = {key: next((found[h] for h in names if h in found), -1)
                       for key, names in _HEADERS.items()}
            if columns["date"] < 0 or columns["kind"] < 0:
                raise ValidationError(_located(where, _(
                    "the first row must be a header naming the columns 日期 (date), 类型 (type: 休 or 班) "
                    "and 名称 (name); it has “%(cells)s”.") % {"cells": " | ".join(str(c) for c in cells)}))
            continue
        date_cell, kind_cell, name_cell = (row[k] if 0 <= k < len(row) else None
                                           for k in (columns["date"], columns["kind"], columns["name"]))
        try:
            days = _cell_dates(date_cell, year)
            is_work = _kind(_cell_text(kind_cell))
        except ValueError as exc:
            errors.append((number, _located(where, str(exc))))
            continue
        name = _cell_text(name_cell)
        located.extend((number, where, d, is_work, name) for d in days)
    if columns is None:
        raise ValidationError(_("The spreadsheet is empty."), code="empty")
    return _finish(year, located, errors, _("The spreadsheet has a header but no days."))


@transaction.atomic
def holiday_year_set(*, actor, year: int, days: Sequence[ArrangementDay], source: str,
                     notice: str = "") -> HolidayYear:
    """Replace the whole arrangement for ``year`` with ``days`` (the exceptions to Monday-Friday)."""
    actor.require("calendar.manage")
    _check_year(year)
    if source not in HolidayYear.Source.values:
        raise ValidationError({"source": _("Unknown source: %(value)s") % {"value": source}})
    entries = [(d, bool(w), (name or "").strip()) for d, w, name in days]
    errors = [e for _n, e in _check_days(year, ((0, "", d, w, name) for d, w, name in entries))]
    if not entries:
        errors.append(ValidationError(_("The arrangement for %(year)s has no days.") % {"year": year},
                                      code="empty"))
    if errors:
        raise ValidationError(errors)

    holiday_year = HolidayYear.objects.select_for_update().filter(year=year).first()
    created = holiday_year is None
    if created:
        holiday_year = HolidayYear(year=year)
    holiday_year.source, holiday_year.notice = source, notice.strip()
    holiday_year.full_clean()
    previous = HolidayDay.objects.filter(date__year=year).delete()[0]
    rows = [HolidayDay(date=d, is_workday=w, name=name) for d, w, name in sorted(entries)]
    for row in rows:
        # The year's rows were just deleted and the dates are unique, so no uniqueness query is needed.
        row.full_clean(validate_unique=False)
    HolidayDay.objects.bulk_create(rows)
    if created:
        holiday_year.save(force_insert=True)
    else:
        holiday_year.save(update_fields=["source", "notice", "updated_at"])

    audit.record(actor=actor, action="calendar.year_set", object_type="holiday_year", object_id=str(year),
                 details={
                     "source": source, "notice": holiday_year.notice, "created": created,
                     "previous_days": previous,
                     "days": [f"{d.isoformat()} {'班' if w else '休'} {name}".rstrip() for d, w, name in
                              sorted(entries)],
                 })
    # Drop the index now, so this process counts with the new days at once, and again after commit, in
    # case another thread rebuilt it from the old rows meanwhile. Other processes see it within a minute.
    reset_index()
    transaction.on_commit(reset_index)
    return holiday_year
