"""Working days under the State Council's holiday arrangement, from a precomputed index.

The arrangement lives in two tables: ``HolidayYear`` (a year whose arrangement is published) and
``HolidayDay`` (the exceptions to the Monday-Friday week: holidays, and weekend days made working days,
调休). A year without a ``HolidayYear`` row falls back to Monday-Friday and every result that touches it is
*provisional*; nothing here raises for a missing year.

Counting starts on the day after the start date: a request received on ``d`` is due
``add_workdays(d, n)``, the n-th working day after ``d``.

Speed: once per process (and again when the arrangement changes) we build, over a fixed span, a prefix
sum of working days by ordinal offset and a list of pre-built ``WorkDate`` objects, one per working day.
``add_workdays`` is then two list lookups, a range check and a run-id comparison for the provisional flag.
Outside the span we fall back to Monday-Friday arithmetic (always provisional).
"""

from __future__ import annotations

import threading
from datetime import date
from time import monotonic as _monotonic

from django.db import models
from django.utils import timezone

from .models import HolidayDay, HolidayYear

SPAN_FIRST = date(1990, 1, 1)
SPAN_LAST = date(2100, 12, 31)
# Other processes notice an arrangement change within this many seconds (one tiny query per period).
RECHECK_SECONDS = 60.0

_BASE = SPAN_FIRST.toordinal()
_LAST = SPAN_LAST.toordinal()
_SIZE = _LAST - _BASE + 1


class WorkDate(date):
    """A date counted in working days; ``provisional`` is True when the count touched a year without an
    arrangement. Compares and hashes like the plain date; arithmetic on it gives plain dates."""

    __slots__ = ("provisional",)
    provisional: bool

    def __new__(cls, year: int, month: int, day: int, provisional: bool = False) -> WorkDate:
        self = date.__new__(cls, year, month, day)
        _set_provisional(self, bool(provisional))
        return self

    @classmethod
    def of(cls, d: date, provisional: bool) -> WorkDate:
        return cls(d.year, d.month, d.day, provisional)

    def __setattr__(self, name: str, value: object) -> None:
        # Instances are shared from the index, so they must not be changed by a caller.
        raise AttributeError("WorkDate is immutable")

    def __repr__(self) -> str:
        return f"WorkDate({self.year}, {self.month}, {self.day}, provisional={self.provisional})"

    def __reduce__(self):
        return (WorkDate, (self.year, self.month, self.day, self.provisional))

    # date's arithmetic would rebuild a WorkDate with a default flag that no longer means anything.
    def __add__(self, other):
        return _plain(self) + other

    __radd__ = __add__

    def __sub__(self, other):
        return _plain(self) - other

    def replace(self, *args, **kwargs) -> date:  # type: ignore[override]
        return _plain(self).replace(*args, **kwargs)


_set_provisional = WorkDate.provisional.__set__  # type: ignore[attr-defined]


def _plain(d: date) -> date:
    return date(d.year, d.month, d.day)


class WorkCount(int):
    """A number of working days; ``provisional`` as for ``WorkDate``. Arithmetic on it gives plain ints."""

    provisional: bool

    def __new__(cls, value: int, provisional: bool = False) -> WorkCount:
        self = int.__new__(cls, value)
        object.__setattr__(self, "provisional", bool(provisional))
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("WorkCount is immutable")

    def __repr__(self) -> str:
        return f"WorkCount({int(self)}, provisional={self.provisional})"

    __str__ = int.__repr__

    def __reduce__(self):
        return (WorkCount, (int(self), self.provisional))


class _Index:
    """One consistent snapshot of the arrangement over the span; replaced whole, never mutated."""

    __slots__ = ("after", "before", "days", "days_prov", "isw", "names", "ndays", "prefix", "published",
                 "run", "stamp", "wrun")

    def __init__(self, *, published: frozenset[int], exceptions: dict[date, tuple[bool, str]], stamp) -> None:
        self.stamp = stamp
        self.published = published
        self.names = {d: name for d, (_w, name) in exceptions.items()}
        prefix = [0] * (_SIZE + 1)  # prefix[i]: working days at offsets < i
        isw: list[bool] = [False] * _SIZE
        # run[i]: id of the unbroken stretch of published days holding offset i, or -1 when unpublished.
        # Start and result in the same stretch means the walk between them touched no unpublished day.
        run = [-1] * _SIZE
        days: list[WorkDate] = []
        wrun: list[int] = []  # the stretch of each working day; -2 never equals any run[i]
        count, run_id, in_run = 0, -1, False
        year, year_published = 0, False
        for i in range(_SIZE):
            d = date.fromordinal(_BASE + i)
            if d.year != year:
                year, year_published = d.year, d.year in published
            if year_published:
                if not in_run:
                    run_id, in_run = run_id + 1, True
                run[i] = run_id
                exc = exceptions.get(d)
                work = exc[0] if exc is not None else d.weekday() < 5
            else:
                in_run = False
                work = d.weekday() < 5
            isw[i] = work
            if work:
                count += 1
                days.append(WorkDate(d.year, d.month, d.day, not year_published))
                wrun.append(run[i] if year_published else -2)
            prefix[i + 1] = count
        self.prefix = prefix
        self.before = prefix[:-1]  # |n|-th working day before offset i is days[before[i] + n]
        self.after = [p - 1 for p in prefix[1:]]  # n-th working day after offset i is days[after[i] + n]
        self.isw = isw
        self.run = run
        self.days = days
        self.wrun = wrun
        self.ndays = len(days)
        # The same day flagged provisional, for a walk that started or passed outside its stretch.
        self.days_prov = [wd if wd.provisional else WorkDate(wd.year, wd.month, wd.day, True) for wd in days]


_index: _Index | None = None
_recheck_at = float("-inf")
_lock = threading.Lock()


def _stamp() -> tuple:
    agg = HolidayYear.objects.aggregate(last=models.Max("updated_at"), n=models.Count("year"))
    return (agg["last"], agg["n"])


def _build(stamp) -> _Index:
    published = frozenset(HolidayYear.objects.values_list("year", flat=True))
    rows = HolidayDay.objects.filter(date__range=(SPAN_FIRST, SPAN_LAST)).values_list(
        "date", "is_workday", "name")
    # Rows of a year without a HolidayYear row are ignored: that year is Monday-Friday until published.
    exceptions = {d: (w, name) for d, w, name in rows if d.year in published}
    return _Index(published=published, exceptions=exceptions, stamp=stamp)


def _refresh() -> _Index:
    """Build the index, or rebuild it when the tables changed since it was built."""
    global _index, _recheck_at
    with _lock:
        now = _monotonic()
        index = _index
        if index is not None and now < _recheck_at:
            return index  # another thread refreshed it while we waited
        stamp = _stamp()  # read before the rows: a change in between only causes one more rebuild
        if index is None or index.stamp != stamp:
            index = _index = _build(stamp)
        _recheck_at = now + RECHECK_SECONDS
        return index


def reset_index() -> None:
    """Drop this process's index; the next call rebuilds it. Write services call this; so can tests."""
    global _index, _recheck_at
    with _lock:
        _index = None
        _recheck_at = float("-inf")


def _current() -> _Index:
    index = _index
    if index is None or _monotonic() >= _recheck_at:
        index = _refresh()
    return index


# Monday-Friday arithmetic over proleptic ordinals (ordinal 1, 0001-01-01, is a Monday).
def _weekdays_upto(o: int) -> int:
    q, r = divmod(o, 7)
    return 5 * q + min(r, 5)


def _kth_weekday(k: int) -> int:
    q, r = divmod(k - 1, 5)
    return 7 * q + r + 1


_BEFORE_SPAN = _weekdays_upto(_BASE - 1)


def _number(ix: _Index, o: int) -> int:
    """How many working days lie at ordinals <= o, counted from a fixed origin (any ordinal)."""
    if o < _BASE:
        return _weekdays_upto(o)
    if o <= _LAST:
        return _BEFORE_SPAN + ix.prefix[o - _BASE + 1]
    return _BEFORE_SPAN + ix.prefix[_SIZE] + _weekdays_upto(o) - _weekdays_upto(_LAST)


def _numbered(ix: _Index, k: int) -> int:
    """The ordinal of the working day whose ``_number`` is k (the inverse of ``_number``)."""
    if k <= _BEFORE_SPAN:
        return _kth_weekday(k)
    if k <= _BEFORE_SPAN + ix.ndays:
        return ix.days[k - _BEFORE_SPAN - 1].toordinal()
    return _kth_weekday(k - _BEFORE_SPAN - ix.ndays + _weekdays_upto(_LAST))


def _touches_unpublished(ix: _Index, a: int, b: int) -> bool:
    lo, hi = (a, b) if a <= b else (b, a)
    if lo < _BASE or hi > _LAST:
        return True
    published = ix.published
    return any(y not in published for y in range(date.fromordinal(lo).year, date.fromordinal(hi).year + 1))


def _add_slow(ix: _Index, d: date, n: int) -> WorkDate:
    o = d.toordinal()
    if n == 0:
        r = o
    elif n > 0:
        r = _numbered(ix, _number(ix, o) + n)
    else:
        r = _numbered(ix, _number(ix, o - 1) + n + 1)
    return WorkDate.of(date.fromordinal(r), _touches_unpublished(ix, o, r))


def add_workdays(d: date, n: int) -> WorkDate:
    """The n-th working day after ``d`` (n > 0), the |n|-th before it (n < 0), or ``d`` itself (n == 0)."""
    index = _index
    if index is None or _monotonic() >= _recheck_at:
        index = _refresh()
    i = d.toordinal() - _BASE
    if 0 <= i < _SIZE and n:
        j = index.after[i] + n if n > 0 else index.before[i] + n
        if 0 <= j < index.ndays:
            if index.run[i] == index.wrun[j]:
                return index.days[j]
            return index.days_prov[j]
    return _add_slow(index, d, n)


def workdays_between(a: date, b: date) -> WorkCount:
    """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``."""
    index = _current()
    ia, ib = a.toordinal() - _BASE, b.toordinal() - _BASE
    if 0 <= ia < _SIZE and 0 <= ib < _SIZE:
        prefix, run = index.prefix, index.run
        ra = run[ia]
        return WorkCount(prefix[ib + 1] - prefix[ia + 1], ra < 0 or ra != run[ib])
    oa, ob = a.toordinal(), b.toordinal()
    return WorkCount(_number(index, ob) - _number(index, oa), _touches_unpublished(index, oa, ob))


def is_workday(d: date) -> bool:
    i = d.toordinal() - _BASE
    if 0 <= i < _SIZE:
        return _current().isw[i]
    return d.weekday() < 5


def day_info(d: date) -> tuple[bool, str, bool]:
    """(is a working day, the arrangement's name for the day or "", provisional)."""
    index = _current()
    i = d.toordinal() - _BASE
    if 0 <= i < _SIZE:
        return index.isw[i], index.names.get(_plain(d), ""), index.run[i] < 0
    return d.weekday() < 5, "", True


def unpublished_years(a: date, b: date) -> list[int]:
    """The years from ``a`` to ``b`` (either order) without an arrangement: why a result is provisional."""
    lo, hi = sorted((a.year, b.year))
    published = _current().published
    return [y for y in range(lo, hi + 1) if y not in published]


def missing_years(upcoming: int = 1, *, today: date | None = None) -> list[int]:
    """Years from this year (Asia/Shanghai) through ``upcoming`` years ahead that have no arrangement yet,
    for the administrators' dashboard warning. Read from the table, not the index, so it is never stale."""
    this_year = (today or timezone.localdate()).year
    wanted = range(this_year, this_year + upcoming + 1)
    have = set(HolidayYear.objects.filter(year__in=list(wanted)).values_list("year", flat=True))
    return [y for y in wanted if y not in have]

