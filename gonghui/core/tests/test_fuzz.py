"""Hypothesis fuzzing (marker ``fuzz``, bounded in examples) of what reads untrusted text: the ID-number and
phone parsers never raise anything but their own ValidationError, and the roster importer, fed random small
sheets (csv and xlsx, headers from its synonym lists, cells of every shape Excel produces), never raises anything
but its refusal of the file."""

import csv
import datetime
import io
import string

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonghui.core import identity
from gonghui.core.access import actor_for
from gonghui.members import roster

pytestmark = pytest.mark.fuzz

FAST = settings(max_examples=300, deadline=None, database=None, derandomize=True)
FULLWIDTH = {ord(c): ord(c) + 0xFEE0 for c in string.digits + string.ascii_letters}


def _valid_id(region: str, birth: datetime.date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + identity.id_check_char(first17)


valid_ids = st.builds(_valid_id, st.sampled_from(["110101", "330102", "440305", "650102", "542621"]),
                      st.dates(datetime.date(1900, 1, 1), datetime.date(2010, 12, 31)), st.integers(0, 999))
id_like = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=string.digits + "xX ", min_size=14, max_size=20),
    st.from_regex(r"\A[1-9]\d{16}[\dxX]\Z"),
    st.from_regex(r"\A\d{15}\Z"),
    st.from_regex(r"\A\d(\.\d{1,14})?E\+?\d{1,2}\Z"),
    valid_ids,
    valid_ids.map(lambda v: v.translate(FULLWIDTH)),
    valid_ids.map(lambda v: " ".join(v[i:i + 6] for i in range(0, 18, 6)).lower()),
)
raw_values = st.one_of(id_like, st.none(), st.integers(), st.floats(allow_nan=True), st.booleans(),
                       st.dates(), st.binary(max_size=20))


def _parses_or_refuses(parse, raw):
    try:
        return parse(raw)
    except ValidationError as exc:
        assert exc.messages and all(m.strip() for m in exc.messages)  # a message saying what is wrong
        return None


@FAST
@given(raw=raw_values)
def test_the_id_parser_answers_or_refuses_and_nothing_else(raw):
    parsed = _parses_or_refuses(identity.parse_resident_id, raw)
    if parsed is not None:
        assert len(parsed.number) == 18 and parsed.number[:17].isdigit() and parsed.sex in ("M", "F")
        assert identity.id_check_char(parsed.number[:17]) == parsed.number[17]
        assert parsed.number == identity.parse_resident_id(parsed.number).number  # stable


@FAST
@given(number=valid_ids, fullwidth=st.booleans(), lower=st.booleans(), spaces=st.booleans())
def test_every_spelling_of_a_valid_id_parses_to_the_same_number(number, fullwidth, lower, spaces):
    text = number.lower() if lower else number
    text = " ".join(text[i:i + 4] for i in range(0, 18, 4)) if spaces else text
    text = text.translate(FULLWIDTH) if fullwidth else text
    parsed = identity.parse_resident_id(text)
    assert parsed.number == number
    assert parsed.birth_date == datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


@FAST
@given(raw=raw_values, doc_type=st.sampled_from([c.value for c in identity.DocumentType]))
def test_the_other_parsers_answer_or_refuse_and_nothing_else(raw, doc_type):
    for parse in (identity.normalize_mobile, identity.normalize_phone, identity.normalize_uscc,
                  identity.normalize_region_code, lambda v: identity.normalize_document(doc_type, v)):
        _parses_or_refuses(parse, raw)


# The roster importer.

HEADER_NAMES = [name for column in roster.COLUMNS for name in (column.header, *column.synonyms)]
cells = st.one_of(
    st.just(""), st.none(),
    st.integers(1, 80000),  # Excel date serials, and small numbers
    st.floats(min_value=0, max_value=1e6, allow_nan=False),
    st.integers(10**16, 10**18 - 1).map(float),  # an ID number Excel stored as a number
    st.dates(datetime.date(1899, 12, 31), datetime.date(2100, 1, 1)),
    st.text(max_size=12), st.text(min_size=200, max_size=400),
    valid_ids, st.from_regex(r"\A1[3-9]\d{9}\Z"),
    st.sampled_from(["男", "女", "是", "否", "本科", "群众", "全日制", "护照", "居民身份证", "2024-02-30", "#N/A"]),
)


@st.composite
def sheets(draw):
    headers = draw(st.lists(st.one_of(st.sampled_from(HEADER_NAMES), st.text(max_size=8)), min_size=1, max_size=8))
    if draw(st.booleans()):  # most sheets have the two columns it needs
        headers = ["姓名", draw(st.sampled_from(["身份证号", "证件号码", "公民身份号码"])), *headers]
    rows = draw(st.lists(st.lists(cells, min_size=0, max_size=len(headers) + 2), max_size=6))
    title = draw(st.lists(st.sampled_from(["2026年会员名册", "", "单位："]), max_size=2))
    return [title, headers, *rows] if title else [headers, *rows]


def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["" if v is None else v for v in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")


def _xlsx(rows) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_format)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value:
                sheet.write_string(r, c, value)
    book.close()
    return out.getvalue()


@pytest.mark.django_db
def test_the_roster_importer_reports_or_refuses_and_nothing_else(cast):
    actor = actor_for(cast.grassroots_officer)
    outcomes = {"refused file": 0, "result": 0, "written": 0}

    @settings(max_examples=150, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(rows=sheets(), kind=st.sampled_from(["csv", "xlsx"]), dry_run=st.sampled_from([True, True, False]))
    def fuzz(rows, kind, dry_run):
        data = _csv(rows) if kind == "csv" else _xlsx(rows)
        try:
            result = roster.roster_import(actor=actor, union=cast.grassroots_a, data=data, filename=f"名册.{kind}",
                                          dry_run=dry_run)
        except roster.RosterFileError as exc:  # the file as a whole refused, with a message
            assert exc.messages
            outcomes["refused file"] += 1
            return
        outcomes["result"] += 1
        outcomes["written"] += result.committed
        summary = result.summary()
        assert summary is not None and result.total >= 0
        for problem in result.problems:
            assert str(problem.message).strip()
        if result.problems:
            assert roster.problems_report(result, data, f"名册.{kind}")[:2] == b"PK"  # the report still writes

    with translation.override("zh-hans"):
        fuzz()
    # The sheets reached past the header check, and some were imported.
    assert outcomes["result"] > 10 and outcomes["refused file"] > 0, outcomes
