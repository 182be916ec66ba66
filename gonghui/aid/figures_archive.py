"""The archive's figures (FIGURES.md): aid.hardship_files, the households on file at the period's end by category
(filed on or before the end, not exited by then), and aid.hardship_exited, the households that exited (解困) in the
period. For whole months each reads the unit's pre-aggregated rows (gonghui.aid.stats: the files filed minus those
exited up to the period's end, by category; the exits in the period); otherwise it is one grouped query on the
(org_path, filed_on) / (org_path, exited_on) indexes."""

from collections import defaultdict

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import figure

from . import stats
from .models import Category, Household

GROUP = _("Assistance")


def whole_months(period) -> tuple[int, int] | None:
    return stats.whole_months(period)


def files_by_category(org, period) -> dict[str, int]:
    if months := whole_months(period):
        rows = stats.sums(org.path, 0, months[1], prefix="files_")
        out: dict[str, int] = defaultdict(int)
        for key, (n, _amount) in rows.items():
            kind, _, category = key.partition(":")
            out[category] += n if kind == "files_in" else -n
        return dict(out)
    rows = (Household.objects.filter(org_path__startswith=org.path, filed_on__lte=period.end)
            .filter(Q(exited_on__isnull=True) | Q(exited_on__gt=period.end))
            .values_list("category").annotate(n=Count("pk")).order_by())
    return dict(rows)


@figure("aid.hardship_files", label=_("Hardship households on file (建档困难职工)"), unit=_("households (户)"),
        group=GROUP, breakdown=True, chart="pie")
def hardship_files(org, period):
    counts = files_by_category(org, period)
    return [(str(label), counts.get(value, 0)) for value, label in Category.choices if value != Category.NONE]


@figure("aid.hardship_exited", label=_("Households out of hardship (解困脱困)"), unit=_("households (户)"),
        group=GROUP)
def hardship_exited(org, period):
    if months := whole_months(period):
        return stats.sums(org.path, *months, prefix="exited").get("exited", (0, 0))[0]
    return Household.objects.filter(org_path__startswith=org.path, exited_on__gte=period.start,
                                    exited_on__lte=period.end).count()
