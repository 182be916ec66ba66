"""Reads of the organization tree, always inside the actor's subtree."""

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404

from .models import Org


def org_scope(*, actor) -> QuerySet[Org]:
    if actor.org is None:
        return Org.objects.none()
    return Org.objects.filter(path__startswith=actor.org.path)


def org_get(*, actor, code: str) -> Org:
    """The org with this code in the actor's subtree; 404 for one outside it, exactly like a missing one."""
    return get_object_or_404(org_scope(actor=actor), code=code)


def org_list(*, actor, filters: dict | None = None) -> QuerySet[Org]:
    filters = filters or {}
    qs = org_scope(actor=actor)
    if under := filters.get("under"):
        qs = qs.filter(path__startswith=under.path)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(code__iexact=q) | Q(uscc__iexact=q.upper()))
    for name in ("level", "kind", "ownership", "status"):
        if value := filters.get(name):
            qs = qs.filter(**{name: value})
    if (registered := filters.get("registered")) in (True, False):
        qs = qs.filter(legal_person_registered=registered)
    return qs


def org_children(*, actor, org: Org) -> list[Org]:
    """The org's children, each with ``descendants`` (unions below it) counted in one grouped query."""
    actor.require_covers(org.path)
    children = list(Org.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path"))
    width = (org.depth + 1) * Org.steplen
    counts = dict(
        Org.objects.filter(path__startswith=org.path, depth__gt=org.depth + 1)
        .order_by()
        .annotate(prefix=Substr("path", 1, width))
        .values_list("prefix")
        .annotate(n=Count("id"))
    )
    for child in children:
        child.descendants = counts.get(child.path, 0)
    return children


def org_ancestors(*, actor, org: Org) -> list[Org]:
    """The breadcrumb trail from the actor's own org down to ``org`` (never above the actor's scope)."""
    top = actor.org.depth
    paths = [org.path[: d * Org.steplen] for d in range(top, org.depth + 1)]
    return list(Org.objects.filter(path__in=paths).order_by("depth"))


PICK_LIMIT = 20
PICK_INFIX_MIN = 3  # pg_trgm needs a whole trigram to use its index for a LIKE '%…%'


def _prefix(qs: QuerySet[Org], field: str, q: str) -> QuerySet[Org]:
    # A range on the column's btree (both databases) narrowed by the exact prefix test: never a table scan.
    return qs.filter(**{f"{field}__gte": q, f"{field}__lt": q + "\U0010ffff", f"{field}__startswith": q})


def _pick_base(*, actor, levels=(), active_only=False, anywhere=False, below: str = "") -> QuerySet[Org]:
    qs = Org.objects.filter(status="active") if anywhere else org_scope(actor=actor)
    if active_only:
        qs = qs.filter(status="active")
    if levels:
        qs = qs.filter(level__in=list(levels))
    if below:  # strictly under this unit (a case is dispatched down from its handling unit)
        top = org_scope(actor=actor).filter(code=below.upper()).first()
        qs = qs.filter(path__startswith=top.path).exclude(pk=top.pk) if top else qs.none()
    return qs


def org_pick(*, actor, q: str, levels=(), active_only: bool = False, anywhere: bool = False, below: str = "",
             limit: int = PICK_LIMIT) -> list[Org]:
    """At most ``limit`` orgs matching part of a name or code, for the union picker.

    Inside the actor's subtree, or, with ``anywhere``, among the active member units of the whole federation (a
    transfer's destination, whose names the public join page already lists). Exact code first, then names and codes
    starting with ``q`` (indexed ranges), then names containing it (a trigram index on PostgreSQL; three characters
    at least, so a short query never scans a large subtree)."""
    q = " ".join((q or "").split())[:60]
    if not q:
        return []
    qs = _pick_base(actor=actor, levels=levels, active_only=active_only, anywhere=anywhere, below=below)
    found: dict[int, Org] = {}

    def take(more: QuerySet[Org]) -> None:
        for org in more.exclude(pk__in=list(found)).order_by("depth", "name")[: limit - len(found)]:
            found[org.pk] = org

    take(qs.filter(code=q.upper()))
    for step in (_prefix(qs, "name", q), _prefix(qs, "code", q.upper())):
        if len(found) < limit:
            take(step)
    if len(found) < limit and len(q) >= PICK_INFIX_MIN:
        take(qs.filter(name__contains=q))
    return list(found.values())


def org_resolve(*, actor, value: str, levels=(), active_only: bool = False, anywhere: bool = False,
                below: str = "") -> list[Org]:
    """The orgs a picker's submitted value names: its exact code, else its exact name (several when names repeat)."""
    value = " ".join((value or "").split())
    if not value:
        return []
    qs = _pick_base(actor=actor, levels=levels, active_only=active_only, anywhere=anywhere, below=below)
    by_code = list(qs.filter(code=value.upper())[:1])
    return by_code or list(qs.filter(name=value).order_by("path")[:5])


BROWSE_LIMIT = 200


def org_browse(*, actor, code: str = "") -> tuple[Org | None, list[Org]]:
    """A node in the actor's subtree (their own org when ``code`` is empty) and up to BROWSE_LIMIT of its children,
    read from the direct-children index (``numchild`` says whether each has more below): no count over a subtree.
    (None, []) for a code outside the scope."""
    node = actor.org if not code else org_scope(actor=actor).filter(code=code.upper()).first()
    if node is None:
        return None, []
    children = Org.objects.filter(path__startswith=node.path, depth=node.depth + 1).order_by("path")
    return node, list(children[:BROWSE_LIMIT])
