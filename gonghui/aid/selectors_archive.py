"""Reads of the hardship archive, scoped to the actor's subtree (outside it: 404, as if missing).

The list reads keyset pages (``after`` = the last id shown) by the indexes on (org_path, -id) and
(org_path, state, -id): never a count or sort of the whole subtree to show 50 rows."""

import datetime
import time

from django.db import connection
from django.http import Http404

from .models import HardshipCard, Household, HouseholdState, LivingStandard, Objection, Pairing

PAGE = 50


def _id(value) -> int:
    value = str(value)
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise Http404
    return int(value)


def _subtree(actor, f: dict) -> str:
    if f.get("unit") is not None:
        actor.require_covers(f["unit"].path)
        return f["unit"].path
    return actor.org.path


def household_list(*, actor, filters: dict | None = None, today: datetime.date | None = None):
    """The subtree's files, newest first. Filters: state, category, cause, overdue (review past due), unit (an
    org inside the subtree: its own subtree)."""
    actor.require("aid.view")
    f = filters or {}
    path = _subtree(actor, f)
    qs = Household.objects.filter(org_path__startswith=path)
    if f.get("state"):
        qs = qs.filter(state=f["state"])
    if f.get("category"):
        qs = qs.filter(category=f["category"])
    if f.get("cause"):
        qs = qs.filter(causes__contains=f",{f['cause']},")
    if f.get("overdue"):
        qs = qs.filter(state=HouseholdState.FILED, review_due__lt=today or datetime.date.today())
    return qs.select_related("org").order_by("-id")


def keyset_page(qs, *, after=None, size: int = PAGE) -> tuple[list, int | None]:
    """One page after the id ``after`` (newest first) and the id to ask the next page after (None at the end)."""
    if after not in (None, ""):
        qs = qs.filter(id__lt=_id(after))
    rows = list(qs[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].pk if more and rows else None)


MERGE_UNITS = 5000
# What a row of the list shows (the page and the API): no personal-data column, so a page decrypts nothing. A
# template or schema that reads another field of these rows costs a query per row: add the field here.
LIST_FIELDS = ("id", "org", "org__name", "org__code", "org_path", "name_masked", "causes", "category", "state",
               "notice_until", "open_objections", "filed_on", "review_due", "exited_on")


# subtree path → (at most MERGE_UNITS units?, monotonic time to ask again). Only the way a page is read depends on
# it, never what it shows: a few minutes old is fine, and the page does not count the subtree's units every time.
_FEW_UNITS: dict[str, tuple[bool, float]] = {}


def _few_units(path: str) -> bool:
    from gonghui.orgs.models import Org

    known = _FEW_UNITS.get(path)
    if known is None or known[1] < time.monotonic():
        few = not Org.objects.filter(path__startswith=path).order_by()[MERGE_UNITS:MERGE_UNITS + 1].exists()
        if len(_FEW_UNITS) > 10000:
            _FEW_UNITS.clear()
        known = _FEW_UNITS[path] = (few, time.monotonic() + 300)
    return known[0]


def household_page(*, actor, filters: dict | None = None, after=None, today: datetime.date | None = None,
                   size: int = PAGE) -> tuple[list, int | None]:
    """One keyset page of ``household_list`` (the ``LIST_FIELDS`` of each file). On PostgreSQL, for a subtree of at
    most MERGE_UNITS units, the page is merged from each unit's own newest files (one correlated probe of the
    (org_path, …, -id) indexes per unit, ``size + 1`` ids each, the newest ``size + 1`` of them kept by the server):
    "newest first over a prefix range" is no index order, and scanning the whole table backwards for the subtree's
    rows reads every newer row of other units first (a county whose files are older than the rest of the city's,
    or a rare filter). Elsewhere, and for larger subtrees, one ordered query."""
    qs = household_list(actor=actor, filters=filters, today=today).only(*LIST_FIELDS)
    if after not in (None, ""):
        qs = qs.filter(id__lt=_id(after))
    if connection.vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery
        from django.db.models import BigIntegerField, Func, OuterRef
        from django.db.models.functions import Collate

        from gonghui.orgs.models import Org

        path = _subtree(actor, filters or {})
        if _few_units(path):
            # Org.path is collated "C", the file's org_path is not: compared in the default collation, the probe
            # uses the (org_path, -id) indexes (in "C" it cannot, and walks the primary key instead).
            newest = (qs.filter(org_path=Collate(OuterRef("path"), "default")).order_by("-id")
                      .values("id")[:size + 1])
            # One statement: id IN (the newest size + 1 of every unit's newest size + 1, unnested and sorted).
            unnested = Func(ArraySubquery(newest), function="unnest", output_field=BigIntegerField())
            ids = (Org.objects.filter(path__startswith=path).annotate(i=unnested).order_by("-i")
                   .values("i")[:size + 1])
            rows = list(qs.filter(id__in=ids))
            more = len(rows) > size
            rows = rows[:size]
            return rows, (rows[-1].pk if more and rows else None)
    return keyset_page(qs, size=size)


def household_get(*, actor, pk) -> Household:
    actor.require("aid.view")
    household = (Household.objects.filter(pk=_id(pk), org_path__startswith=actor.org.path)
                 .select_related("org", "person", "publication", "applied_by", "reviewed_by").first())
    if household is None:
        raise Http404
    return household


def objection_get(*, actor, pk) -> Objection:
    actor.require("aid.view")
    obj = (Objection.objects.filter(pk=_id(pk), household__org_path__startswith=actor.org.path)
           .select_related("household", "household__org").first())
    if obj is None:
        raise Http404
    return obj


def pairing_get(*, actor, pk) -> Pairing:
    actor.require("aid.view")
    obj = (Pairing.objects.filter(pk=_id(pk), household__org_path__startswith=actor.org.path)
           .select_related("household", "household__org", "cadre").first())
    if obj is None:
        raise Http404
    return obj


def card_get(*, actor, pk) -> HardshipCard:
    actor.require("aid.view")
    obj = (HardshipCard.objects.filter(pk=_id(pk), household__org_path__startswith=actor.org.path)
           .select_related("household", "household__org").first())
    if obj is None:
        raise Http404
    return obj


def review_queue(*, actor):
    """Files waiting for the actor's review (applied, under the actor's unit, not the unit itself) and files
    under notice with open objections."""
    actor.require("aid.review")
    base = Household.objects.filter(org_path__startswith=actor.org.path).exclude(org_path=actor.org.path)
    applied = base.filter(state=HouseholdState.APPLIED).select_related("org").order_by("applied_at", "pk")[:200]
    held = (Objection.objects.filter(state="open", household__org_path__startswith=actor.org.path)
            .exclude(household__org_path=actor.org.path)
            .select_related("household", "household__org").order_by("created_at", "pk")[:200])
    notices = base.filter(state=HouseholdState.NOTICE).select_related("org").order_by("notice_until", "pk")[:200]
    return list(applied), list(held), list(notices)


def standards(*, actor):
    """The 低保 table the actor sees: rows of orgs in the actor's subtree or above it, and the region rows."""
    actor.require("aid.view")
    path = actor.org.path
    from gonghui.orgs.models import Org

    step = Org.steplen
    above = [path[:i] for i in range(step, len(path) + 1, step)]
    by_org = LivingStandard.objects.filter(org__path__startswith=path) | LivingStandard.objects.filter(
        org__path__in=above)
    regions = LivingStandard.objects.filter(org__isnull=True)
    return list((by_org | regions).select_related("org").order_by("-year", "region_code", "org__path")[:500])
