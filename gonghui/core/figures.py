"""The figure registry: every number a union reports, computed for an org's subtree and a period.

Each app registers its figures at start-up (in its AppConfig.ready). A figure's ``compute`` takes the
org and the period and returns a number, or for a breakdown a list of (label, number) pairs.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive
    key: str

    @property
    def label(self) -> str:
        k = self.key
        if re.fullmatch(r"\d{4}", k):
            return _("%(y)s (full year)") % {"y": k}
        if m := re.fullmatch(r"(\d{4})H([12])", k):
            return (_("first half of %(y)s") if m[2] == "1" else _("second half of %(y)s")) % {"y": m[1]}
        if m := re.fullmatch(r"(\d{4})Q([1-4])", k):
            return _("%(y)s Q%(q)s") % {"y": m[1], "q": m[2]}
        if m := re.fullmatch(r"(\d{4})-(\d{2})", k):
            return _("%(y)s-%(m)s") % {"y": m[1], "m": m[2]}
        return f"{self.start:%Y-%m-%d} ~ {self.end:%Y-%m-%d}"

    @classmethod
    def parse(cls, key: str | None, *, today: datetime.date | None = None) -> "Period":
        """Parse 2026, 2026H1, 2026Q3, 2026-05 or 2026-01-01~2026-03-31; default: this year."""
        today = today or datetime.date.today()
        key = (key or str(today.year)).strip()
        if re.fullmatch(r"\d{4}", key):
            y = int(key)
            return cls(datetime.date(y, 1, 1), datetime.date(y, 12, 31), key)
        if m := re.fullmatch(r"(\d{4})H([12])", key):
            y, h = int(m[1]), int(m[2])
            return cls(datetime.date(y, 1 if h == 1 else 7, 1), datetime.date(y, 6 if h == 1 else 12, 30 if h == 1
                                                                          else 31), key)
        if m := re.fullmatch(r"(\d{4})Q([1-4])", key):
            y, q = int(m[1]), int(m[2])
            start = datetime.date(y, 3 * q - 2, 1)
            end = (datetime.date(y + 1, 1, 1) if q == 4 else datetime.date(y, 3 * q + 1, 1)) - datetime.timedelta(1)
            return cls(start, end, key)
        if m := re.fullmatch(r"(\d{4})-(\d{2})", key):
            y, mo = int(m[1]), int(m[2])
            if not 1 <= mo <= 12:
                raise ValueError(key)
            end = (datetime.date(y + 1, 1, 1) if mo == 12 else datetime.date(y, mo + 1, 1)) - datetime.timedelta(1)
            return cls(datetime.date(y, mo, 1), end, key)
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})~(\d{4}-\d{2}-\d{2})", key):
            start, end = datetime.date.fromisoformat(m[1]), datetime.date.fromisoformat(m[2])
            if end < start:
                raise ValueError(key)
            return cls(start, end, key)
        raise ValueError(key)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    group: str
    compute: Callable
    breakdown: bool = False
    chart: str = ""  # "bar" or "pie" for breakdowns shown as charts
    perm: str = "dashboard.view"


_REGISTRY: dict[str, Figure] = {}


def register(figure: Figure) -> Figure:
    if figure.key in _REGISTRY and _REGISTRY[figure.key] is not figure:
        raise ValueError(f"figure {figure.key} registered twice")
    _REGISTRY[figure.key] = figure
    return figure


def figure(key: str, *, label, unit, group, breakdown=False, chart="", perm="dashboard.view"):
    """Decorator form of ``register``."""
    def wrap(fn):
        register(Figure(key=key, label=label, unit=unit, group=group, compute=fn, breakdown=breakdown,
                        chart=chart, perm=perm))
        return fn
    return wrap


def all_figures() -> list[Figure]:
    return list(_REGISTRY.values())


def get(key: str) -> Figure:
    return _REGISTRY[key]


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class FigureValue:
    figure: Figure
    value: object

    @property
    def key(self):
        return self.figure.key


def compute(org, period: Period, *, actor, keys: list[str] | None = None) -> list[FigureValue]:
    """Figures for ``org``'s subtree; the caller has already checked the org is in the actor's scope."""
    actor.require_covers(org.path)
    out = []
    for fig in all_figures():
        if keys is not None and fig.key not in keys:
            continue
        if not actor.can(fig.perm):
            continue
        out.append(FigureValue(fig, fig.compute(org, period)))
    return out
