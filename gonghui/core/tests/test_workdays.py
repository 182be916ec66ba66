"""The working-day calendar: counting, provisional years, entering an arrangement, the command."""

import pickle
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.core import workdays
from gonghui.core.access import Actor
from gonghui.core.calendar_services import holiday_year_set, parse_arrangement_rows, parse_arrangement_text
from gonghui.core.models import AuditEvent, Grant, HolidayDay, HolidayYear, Role
from gonghui.core.workdays import (
    WorkCount,
    WorkDate,
    add_workdays,
    day_info,
    is_workday,
    missing_years,
    workdays_between,
)

pytestmark = pytest.mark.django_db

D = date

# 2027 as an administrator might enter it (invented for the tests: 2027's arrangement is not out yet).
TEXT_2027 = """
# 2027年部分节假日安排
2027-01-01 休 元旦
2027-02-06~2027-02-12 休 春节
2027-02-14 班 春节调休
"""


@pytest.fixture(autouse=True)
def _fresh_index():
    # The index is per process; a test that changes the tables (then rolls back) must not leak it.
    # Messages are checked in their English source form; the Chinese catalog is tested elsewhere.
    workdays.reset_index()
    with translation.override("en"):
        yield
    workdays.reset_index()


def _actor(role: str, code: str = "T1") -> Actor:
    from gonghui.orgs.models import Org

    org = Org.objects.add_root(
        create_kwargs={"code": code, "name": "测试市总工会", "level": "city", "kind": "federation"})
    user = get_user_model().objects.create_user(username=f"u-{role}", password="x-Secret-123")
    return Actor(user=user, grant=Grant.objects.create(user=user, role=role, org=org))


@pytest.fixture
def admin() -> Actor:
    return _actor(Role.SYSTEM_ADMIN)


def _set_2027(actor: Actor, text: str = TEXT_2027) -> HolidayYear:
    days = parse_arrangement_text(2027, text)
    return holiday_year_set(actor=actor, year=2027, days=days, source=HolidayYear.Source.MANUAL,
                            notice="国办发明电〔2026〕")


# --- counting under the seeded arrangement ---------------------------------------------------------------

def test_spec_example_spring_festival_2026():
    # Friday the 13th; Saturday the 14th is a make-up working day; the holiday runs to the 23rd.
    result = add_workdays(D(2026, 2, 13), 3)
    assert result == D(2026, 2, 25)
    assert isinstance(result, WorkDate)
    assert result.provisional is False


def test_make_up_day_2026_02_14():
    assert is_workday(D(2026, 2, 14)) is True
    assert day_info(D(2026, 2, 14)) == (True, "春节调休", False)
    assert add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_workdays(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert is_workday(D(2026, 2, 15)) is False
    assert day_info(D(2026, 2, 16)) == (False, "春节", False)
    assert day_info(D(2026, 3, 7)) == (False, "", False)  # an ordinary Saturday


def test_national_day_2026():
    # Wed 30 Sep; 1-7 Oct off; Thu 8 (1), Fri 9 (2), Sat 10 is a make-up day (3), Mon 12 (4), Tue 13 (5).
    assert add_workdays(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert add_workdays(D(2026, 10, 1), 1) == D(2026, 10, 8)  # a start on a holiday counts from the next day
    assert day_info(D(2026, 10, 1)) == (False, "国庆节", False)
    assert day_info(D(2026, 10, 10)) == (True, "国庆节调休", False)


def test_zero_and_negative():
    assert add_workdays(D(2026, 10, 3), 0) == D(2026, 10, 3)  # even on a holiday: d itself
    assert add_workdays(D(2026, 10, 3), 0).provisional is False
    assert add_workdays(D(2026, 2, 25), -1) == D(2026, 2, 24)
    assert add_workdays(D(2026, 2, 25), -2) == D(2026, 2, 14)
    assert add_workdays(D(2026, 2, 24), -1) == D(2026, 2, 14)  # strictly before d
    assert add_workdays(D(2026, 10, 13), -5) == D(2026, 9, 30)


def test_workdays_between():
    count = workdays_between(D(2026, 9, 30), D(2026, 10, 12))
    assert count == 4
    assert isinstance(count, WorkCount)
    assert count.provisional is False
    assert workdays_between(D(2026, 10, 12), D(2026, 9, 30)) == -4
    assert workdays_between(D(2026, 2, 13), D(2026, 2, 25)) == 3
    assert workdays_between(D(2026, 3, 2), D(2026, 3, 2)) == 0
    assert workdays_between(D(2026, 10, 1), D(2026, 10, 7)) == 0


def test_datetime_start_counts_as_its_date():
    assert add_workdays(datetime(2026, 2, 13, 16, 30), 3) == D(2026, 2, 25)


# --- provisional years -------------------------------------------------------------------------------------

def test_2027_is_provisional_monday_to_friday():
    result = add_workdays(D(2026, 12, 31), 5)
    assert result == D(2027, 1, 7)  # Fri 1 Jan counts: no arrangement yet
    assert result.provisional is True
    assert day_info(D(2027, 1, 1)) == (True, "", True)
    assert is_workday(D(2027, 1, 2)) is False
    assert workdays_between(D(2026, 12, 31), D(2027, 1, 7)) == 5
    assert workdays_between(D(2026, 12, 31), D(2027, 1, 7)).provisional is True
    # Counting back from 2027 into 2026 touched 2027 too.
    assert add_workdays(D(2027, 1, 4), -1) == D(2027, 1, 1)
    assert add_workdays(D(2027, 1, 4), -3).provisional is True


def test_within_published_years_is_not_provisional():
    assert add_workdays(D(2026, 12, 30), 1).provisional is False
    assert add_workdays(D(2004, 1, 2), 1).provisional is False
    assert add_workdays(D(2005, 1, 4), -3) == D(2004, 12, 29)
    assert add_workdays(D(2005, 1, 4), -3).provisional is False


def test_before_2004_is_provisional():
    # The start is in 2003, which has no arrangement, though the result is in 2004 (1 Jan is 元旦).
    result = add_workdays(D(2003, 12, 31), 1)
    assert result == D(2004, 1, 2)
    assert result.provisional is True
    assert add_workdays(D(2004, 1, 2), -1) == D(2003, 12, 31)
    assert add_workdays(D(2004, 1, 2), -1).provisional is True
    # Before the index's span: plain weekday arithmetic.
    old = add_workdays(D(1980, 1, 4), 1)  # a Friday
    assert (old, old.provisional) == (D(1980, 1, 7), True)
    assert workdays_between(D(1985, 1, 1), D(1985, 1, 8)) == 5
    assert workdays_between(D(1985, 1, 1), D(1985, 1, 8)).provisional is True
    assert day_info(D(1980, 1, 5)) == (False, "", True)


def test_missing_years(admin):
    assert missing_years(today=D(2026, 6, 1)) == [2027]
    assert missing_years(upcoming=2, today=D(2026, 6, 1)) == [2027, 2028]
    assert missing_years(today=D(2025, 6, 1)) == []
    _set_2027(admin)
    assert missing_years(today=D(2026, 6, 1)) == []
    assert isinstance(missing_years(), list)


# --- entering an arrangement -------------------------------------------------------------------------------

def test_holiday_year_set_makes_2027_exact(admin):
    before = add_workdays(D(2026, 12, 31), 1)
    assert (before, before.provisional) == (D(2027, 1, 1), True)

    year = _set_2027(admin)

    assert (year.year, year.source, year.notice) == (2027, "manual", "国办发明电〔2026〕")
    after = add_workdays(D(2026, 12, 31), 1)
    assert (after, after.provisional) == (D(2027, 1, 4), False)
    assert day_info(D(2027, 1, 1)) == (False, "元旦", False)
    assert day_info(D(2027, 2, 14)) == (True, "春节调休", False)
    # Fri 5 Feb (1), Sun 14 Feb make-up day (2), Mon 15 (3).
    assert add_workdays(D(2027, 2, 4), 3) == D(2027, 2, 15)
    assert workdays_between(D(2027, 2, 4), D(2027, 2, 15)) == 3
    assert missing_years(today=D(2026, 12, 1)) == []


def test_holiday_year_set_replaces_the_year(admin):
    _set_2027(admin)
    holiday_year_set(actor=admin, year=2027, days=[(D(2027, 1, 1), False, "元旦")],
                     source=HolidayYear.Source.SPREADSHEET)
    assert list(HolidayDay.objects.filter(date__year=2027).values_list("date", flat=True)) == [D(2027, 1, 1)]
    assert HolidayYear.objects.get(year=2027).source == "spreadsheet"
    assert is_workday(D(2027, 2, 8)) is True
    assert HolidayDay.objects.filter(date__year=2026).count() > 0  # other years untouched


def test_a_gap_year_keeps_walks_across_it_provisional(admin):
    # 2028 published, 2027 not: a count from 2026 into 2028 passes through 2027.
    holiday_year_set(actor=admin, year=2028, days=[(D(2028, 1, 3), False, "元旦")], source="manual")
    assert add_workdays(D(2028, 1, 1), 1) == D(2028, 1, 4)
    assert add_workdays(D(2028, 1, 1), 1).provisional is False
    assert add_workdays(D(2027, 12, 31), 1).provisional is True  # starts in 2027
    far = add_workdays(D(2026, 12, 31), 300)
    assert far.year == 2028 and far.provisional is True
    assert workdays_between(D(2026, 12, 31), far).provisional is True
    assert workdays_between(D(2028, 1, 1), D(2028, 3, 1)).provisional is False


def test_audit_event_recorded(admin):
    _set_2027(admin)
    event = AuditEvent.objects.get(action="calendar.year_set", object_id="2027")
    assert event.outcome == "success"
    assert event.actor_name == "u-system_admin"
    assert "2027-02-14 班 春节调休" in event.details["days"]


def test_permission_denied_without_calendar_manage():
    officer = _actor(Role.UNION_OFFICER)
    with pytest.raises(PermissionDenied):
        _set_2027(officer)
    assert not HolidayYear.objects.filter(year=2027).exists()
    assert not AuditEvent.objects.filter(action="calendar.year_set").exists()


def test_make_up_day_on_a_weekday_refused(admin):
    with pytest.raises(ValidationError) as exc:
        holiday_year_set(actor=admin, year=2027, days=[(D(2027, 2, 15), True, "春节调休")], source="manual")
    assert "2027-02-15" in exc.value.messages[0]
    assert "Saturday or Sunday" in exc.value.messages[0]
    assert not HolidayYear.objects.filter(year=2027).exists()


def test_holiday_year_set_validates_every_day(admin):
    days = [(D(2028, 1, 1), False, "元旦"), (D(2027, 1, 1), False, "元旦"), (D(2027, 1, 1), False, "元旦"),
            (D(2027, 5, 1), False, "劳" * 51)]
    with pytest.raises(ValidationError) as exc:
        holiday_year_set(actor=admin, year=2027, days=days, source="manual")
    text = "\n".join(exc.value.messages)
    assert "2028-01-01 is not in 2027" in text
    assert "2027-01-01 is given more than once" in text
    assert "longer than 50" in text
    with pytest.raises(ValidationError):
        holiday_year_set(actor=admin, year=2027, days=[], source="manual")
    with pytest.raises(ValidationError):
        holiday_year_set(actor=admin, year=2027, days=[(D(2027, 1, 1), False, "")], source="guess")


def test_other_processes_notice_within_the_recheck_period(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(workdays, "_monotonic", lambda: clock[0])
    assert is_workday(D(2027, 1, 1)) is True  # builds the index
    # Another process enters 2027: the tables change, this process's index does not know yet.
    HolidayYear.objects.create(year=2027, source="manual")
    HolidayDay.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")
    clock[0] += 30
    assert is_workday(D(2027, 1, 1)) is True
    clock[0] += workdays.RECHECK_SECONDS
    assert is_workday(D(2027, 1, 1)) is False
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)


# --- parsing -----------------------------------------------------------------------------------------------

def test_parse_text_forms():
    text = """
    # comments and blank lines are skipped

    2027-01-01 休 元旦
    ２０２７－０２－０６～２０２７－０２－０８　放假　春节
    2027/2/14 班 春节调休   # a trailing comment
    2027年2月20日 上班
    3月1日 休息日 测试
    """
    assert parse_arrangement_text(2027, text) == [
        (D(2027, 1, 1), False, "元旦"),
        (D(2027, 2, 6), False, "春节"), (D(2027, 2, 7), False, "春节"), (D(2027, 2, 8), False, "春节"),
        (D(2027, 2, 14), True, "春节调休"),
        (D(2027, 2, 20), True, ""),
        (D(2027, 3, 1), False, "测试"),
    ]


def test_parse_text_reports_every_bad_line_at_once():
    text = "\n".join([
        "2027-01-01 休 元旦",        # 1 fine
        "元旦放假",                  # 2 no date
        "2027-02-30 休 春节",        # 3 no such date
        "2027-02-15 班 春节调休",     # 4 a Monday
        "2028-01-01 休 元旦",        # 5 wrong year
        "2027-01-01 休 元旦",        # 6 duplicate of line 1
        "2027-03-01 请假 测试",       # 7 unknown type
        "2027-03-05~2027-03-01 休",  # 8 backwards
        "",
        "2027-05-01 休 " + "劳" * 51,  # 10 name too long
    ])
    with pytest.raises(ValidationError) as exc:
        parse_arrangement_text(2027, text)
    messages = exc.value.messages
    assert [m.split(":")[0] for m in messages] == [
        "Line 2", "Line 3", "Line 4", "Line 5", "Line 6", "Line 7", "Line 8", "Line 10"]
    assert "2027-02-15" in messages[2] and "Saturday or Sunday" in messages[2]
    assert "first at line 1" in messages[4]
    assert "请假" in messages[5]


def test_parse_text_empty():
    with pytest.raises(ValidationError):
        parse_arrangement_text(2027, "# nothing yet\n\n")


def test_parse_rows():
    rows = [
        ["2027年节假日安排", None, None],
        [None, None, None],
        ["日期", "类型", "名称"],
        [D(2027, 1, 1), "休", "元旦"],
        [46389.0, "休", None],  # Excel serial number of 2027-01-02
        ["2027/2/14", "班", "春节调休"],
        [datetime(2027, 2, 20, 0, 0), "上班", ""],
        ["2027年2月6日~2027年2月7日", " 放假 ", "春节"],
        [None, "", None],
    ]
    # A title row above the header is not a header: it must name 日期 and 类型.
    with pytest.raises(ValidationError) as exc:
        parse_arrangement_rows(2027, rows)
    assert exc.value.messages[0].startswith("Row 1:")
    assert parse_arrangement_rows(2027, rows[2:]) == [
        (D(2027, 1, 1), False, "元旦"), (D(2027, 1, 2), False, ""),
        (D(2027, 2, 6), False, "春节"), (D(2027, 2, 7), False, "春节"),
        (D(2027, 2, 14), True, "春节调休"), (D(2027, 2, 20), True, ""),
    ]


def test_parse_rows_reports_every_bad_row():
    rows = [
        ["名称", "日期", "类型"],
        ["元旦", "2027-01-01", "休"],
        ["x", "not a date", "休"],
        ["调休", D(2027, 1, 4), "班"],
        ["x", "2027-01-09", "?"],
        ["x", 1e9, "休"],
        ["x", "2026-12-31", "休"],
    ]
    with pytest.raises(ValidationError) as exc:
        parse_arrangement_rows(2027, rows)
    assert [m.split(":")[0] for m in exc.value.messages] == ["Row 3", "Row 4", "Row 5", "Row 6", "Row 7"]
    with pytest.raises(ValidationError):
        parse_arrangement_rows(2027, [])
    with pytest.raises(ValidationError):
        parse_arrangement_rows(2027, [["日期", "类型", "名称"]])


# --- the result types --------------------------------------------------------------------------------------

def test_work_date_behaves_as_a_date():
    wd = add_workdays(D(2026, 12, 31), 1)
    assert wd == D(2027, 1, 1) and hash(wd) == hash(D(2027, 1, 1))
    assert str(wd) == "2027-01-01"
    assert type(wd + timedelta(days=1)) is date
    assert wd - D(2026, 12, 31) == timedelta(days=1)
    restored = pickle.loads(pickle.dumps(wd))  # noqa: S301 - our own bytes
    assert (restored, restored.provisional) == (wd, True)
    with pytest.raises(AttributeError):
        wd.provisional = False
    count = workdays_between(D(2026, 9, 30), D(2026, 10, 12))
    assert str(count) == "4" and type(count + 1) is int
    with pytest.raises(AttributeError):
        count.provisional = True


# --- against a slow reference over the tables --------------------------------------------------------------

class _Reference:
    """Day by day, straight from the tables: the meaning the index must keep."""

    def __init__(self) -> None:
        self.published = set(HolidayYear.objects.values_list("year", flat=True))
        self.exceptions = dict(HolidayDay.objects.values_list("date", "is_workday"))

    def is_workday(self, d: date) -> bool:
        if d.year in self.published and d in self.exceptions:
            return self.exceptions[d]
        return d.weekday() < 5

    def provisional(self, a: date, b: date) -> bool:
        lo, hi = min(a, b), max(a, b)
        return any(y not in self.published for y in range(lo.year, hi.year + 1))

    def add(self, d: date, n: int) -> tuple[date, bool]:
        step, left, cur = timedelta(days=1 if n > 0 else -1), abs(n), d
        while left:
            cur += step
            left -= self.is_workday(cur)
        return cur, self.provisional(d, cur)


@pytest.mark.parametrize("gap_year", [False, True])
def test_matches_reference_and_round_trips(gap_year, admin):
    if gap_year:  # publish 2029 with 2027-2028 missing, to exercise the stretch logic
        holiday_year_set(actor=admin, year=2029, days=[(D(2029, 1, 1), False, "元旦"),
                                                       (D(2029, 1, 6), True, "调休")], source="manual")
    ref = _Reference()

    @settings(max_examples=400, deadline=None)
    @given(d=st.dates(D(1985, 1, 1), D(2106, 12, 31)), n=st.integers(-400, 400))
    def check(d: date, n: int) -> None:
        result = add_workdays(d, n)
        assert (result, result.provisional) == ref.add(d, n)
        assert is_workday(d) == ref.is_workday(d)
        if n >= 1:
            count = workdays_between(d, result)
            assert count == n
            assert count.provisional == result.provisional

    check()


# --- the management command -------------------------------------------------------------------------------

def _command(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("workdays", *args, stdout=out)
    return out.getvalue().strip()


def test_command_add_between_is():
    assert _command("add", "2026-09-30", "5") == "2026-10-13"
    assert _command("add", "2026-02-25", "-2") == "2026-02-14"
    assert _command("between", "2026-09-30", "2026-10-12") == "4"
    assert _command("is", "2026-10-01") == "2026-10-01 休息日 国庆节"
    assert _command("is", "2026-02-14") == "2026-02-14 工作日 春节调休"
    assert _command("is", "2026-03-02") == "2026-03-02 工作日"


def test_command_marks_provisional_results():
    assert _command("add", "2026-12-31", "6") == "2027-01-08 (provisional: no holiday arrangement for 2027)"
    assert _command("between", "2026-12-31", "2027-01-08") == (
        "6 (provisional: no holiday arrangement for 2027)")
    assert _command("is", "2027-01-01") == "2027-01-01 工作日 (provisional: no holiday arrangement for 2027)"


@pytest.mark.parametrize("args", [
    ("add", "2026-13-01", "5"),
    ("add", "2026-09-30", "five"),
    ("add", "2026-09-30"),
    ("between", "2026-09-30", "yesterday"),
    ("is", "2026-10-01", "2026-10-02"),
    ("when", "2026-10-01"),
])
def test_command_bad_input(args):
    with pytest.raises(CommandError):
        _command(*args)
