"""Reads of cases, always inside the actor's subtree: the inbox and its counts, one case with its timeline and
the reminders (escalated cases are on the shared supervision list, ``gonghui.core.supervision``).
A case outside the scope is a 404, exactly like a missing one."""

import datetime
from typing import NamedTuple

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from gonghui.core.menu import count_badge
from gonghui.orgs.models import Org

from .common import local_today
from .intake import normalize_code
from .models import RUNNING, AlertKind, Case, CaseAlert, CaseEvent, CaseStat, CoHandler, State

TABS = ("open", "accept", "progress", "followup", "overdue", "closed", "cohandling")
# An inbox page either reads the subtree's range of the (org_path, due_on) index and sorts it (a fetch per case of
# the subtree: n) or walks the due-date index of every running case and stops after a page (about PAGE × R / n
# fetches, R running cases in all). Sorting wins while n² < PAGE × R. The planner's estimate of a path prefix is
# too rough to choose well either way, so the selector chooses from the pre-aggregated counts.
PAGE = 50


def case_scope(*, actor) -> QuerySet[Case]:
    if actor.org is None or not actor.can("case.view"):
        return Case.objects.none()
    return Case.objects.filter(org_path__startswith=actor.org.path)


def case_get(*, actor, code: str) -> Case:
    """A case handled in the actor's subtree, or one a unit of the subtree co-handles; else 404."""
    code = normalize_code(code)
    qs = Case.objects.select_related("holder_org", "intake_org", "dispatcher_org", "owner", "received_by", "policy",
                                     "repeat_of__holder_org")
    case = case_scope(actor=actor).filter(code=code).first()
    if case is None and actor.org is not None and actor.can("case.view"):
        case = Case.objects.filter(code=code, cohandlers__org_path__startswith=actor.org.path).first()
    if case is None:
        raise Http404
    return qs.get(pk=case.pk)


def case_fully_visible(*, actor, case: Case) -> bool:
    """False for a unit that only co-handles it: it sees the case but does not handle it."""
    return actor.covers(case.org_path)


def _tab_q(tab: str, today: datetime.date) -> Q:
    return {
        "open": Q(state__in=RUNNING),
        "accept": Q(state__in=(State.RECEIVED, State.DISPATCHED, State.RETURNED, State.REOPENED)),
        "progress": Q(state__in=(State.ACCEPTED, State.IN_PROGRESS)),
        "followup": Q(state__in=(State.REPLIED, State.FOLLOWED_UP)),
        "overdue": Q(state__in=RUNNING, paused_since__isnull=True, due_on__lt=today),
        "closed": Q(state=State.CLOSED),
    }[tab]


def inbox(*, actor, org: Org, tab: str = "open", filters: dict | None = None,
          today: datetime.date | None = None) -> QuerySet[Case]:
    """The cases of ``org``'s subtree on one tab, the most urgent first (closed ones: the latest first)."""
    actor.require_covers(org.path)
    filters = filters or {}
    today = today or local_today()
    if tab not in TABS:
        tab = "open"
    if tab == "cohandling":
        qs = case_scope_cohandled(actor=actor, org=org).filter(state__in=RUNNING)
    elif state := filters.get("state"):  # one state instead of a tab
        qs = case_scope(actor=actor).filter(org_path__startswith=org.path, state=state)
    else:
        qs = case_scope(actor=actor).filter(org_path__startswith=org.path).filter(_tab_q(tab, today))
    if filters.get("held_here"):
        qs = qs.filter(holder_org=org)
    for name in ("channel", "category", "topic", "color"):
        if value := filters.get(name):
            qs = qs.filter(**{name: value})
    if due_before := filters.get("due_before"):
        qs = qs.filter(due_on__lte=due_before)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(code=normalize_code(q)) | Q(subject__icontains=q) | Q(worker_name=q))
    if tab == "closed" or filters.get("state") == State.CLOSED:
        order = ("-closed_at", "-pk")
    elif tab != "cohandling" and _sort_subtree(org):
        # The same order, written so that no index can serve it: the subtree's range is read and sorted.
        order = (Coalesce(F("due_on"), F("due_on")).asc(), "pk")
    else:
        order = ("due_on", "pk")
    return qs.select_related("holder_org", "owner").order_by(*order)


def _sort_subtree(org: Org) -> bool:
    root = org.path[:Org.steplen]
    counts = dict(CaseStat.objects.filter(org_path__in={org.path, root}, state__in=RUNNING).order_by()
                  .values_list("org_path").annotate(n=Sum("received")))
    n = counts.get(org.path, 0)
    return n * n < PAGE * counts.get(root, 0) or n < PAGE


def case_scope_cohandled(*, actor, org: Org) -> QuerySet[Case]:
    if not actor.can("case.view"):
        return Case.objects.none()
    ids = CoHandler.objects.filter(org=org, reported_at__isnull=True).values("case_id")
    return Case.objects.filter(pk__in=ids)


def inbox_counts(*, actor, org: Org, today: datetime.date | None = None) -> dict[str, int]:
    """How many cases each tab holds: by state from the pre-aggregated counts of ``org`` (live, a few hundred rows
    whatever the subtree's size), the overdue ones as the figures count them, the co-handled ones."""
    from .figures import overdue_open

    actor.require_covers(org.path)
    if not actor.can("case.view"):
        return dict.fromkeys(TABS, 0)
    by_state = dict(CaseStat.objects.filter(org_path=org.path).order_by().values_list("state")
                    .annotate(n=Sum("received")))

    def total(states):
        return sum(by_state.get(s, 0) for s in states)

    return {
        "open": total(RUNNING),
        "accept": total((State.RECEIVED, State.DISPATCHED, State.RETURNED, State.REOPENED)),
        "progress": total((State.ACCEPTED, State.IN_PROGRESS)),
        "followup": total((State.REPLIED, State.FOLLOWED_UP)),
        "overdue": overdue_open(org, None, today=today),
        "closed": by_state.get(State.CLOSED, 0),
        "cohandling": case_scope_cohandled(actor=actor, org=org).filter(state__in=RUNNING).count(),
    }


@count_badge
def menu_badge(actor) -> list[QuerySet[Case]] | None:
    """For the menu (every page): cases held by the actor's own unit that wait to be accepted or are overdue.
    The units below are followed on the inbox's tabs and the shared supervision list."""
    if actor.org is None or not actor.can("case.view"):
        return None
    today = local_today()
    qs = Case.objects.filter(holder_org=actor.org)
    return [qs.filter(_tab_q("accept", today) | _tab_q("overdue", today))]


def timeline(*, case: Case, public: bool = False) -> list[CaseEvent]:
    qs = case.events.select_related("org").order_by("at", "pk")
    if public:
        qs = qs.filter(public=True)
    return list(qs)


def reminders(*, actor, limit: int = 20) -> list[CaseAlert]:
    """The latest reminders to units of the actor's subtree about cases still being handled."""
    if actor.org is None or not actor.can("case.view"):
        return []
    return list(CaseAlert.objects.filter(org_path__startswith=actor.org.path, case__state__in=RUNNING)
                .exclude(kind=AlertKind.ESCALATION).select_related("case", "org").order_by("-created_at", "-pk")
                [:limit])


class AlertLine(NamedTuple):
    created_at: datetime.datetime
    kind: str
    label: str
    org_name: str
    handled_note: str


def case_alerts(*, case: Case) -> list[AlertLine]:
    """The case's reminders and its escalations to the parent's supervision list (with the 督办 note), in order."""
    from gonghui.core.models import SupervisionItem

    from .supervision_casework import KIND

    lines = [AlertLine(a.created_at, a.kind, a.get_kind_display(), a.org.name, a.handled_note)
             for a in case.alerts.select_related("org").exclude(kind=AlertKind.ESCALATION)]
    label = dict(AlertKind.choices)[AlertKind.ESCALATION]
    lines += [AlertLine(i.raised_at, AlertKind.ESCALATION, label, i.told_org.name, i.handled_note)
              for i in SupervisionItem.objects.filter(kind=KIND, object_id=case.pk).select_related("told_org")]
    return sorted(lines, key=lambda line: line.created_at)


def dispatch_targets(*, actor, case: Case) -> QuerySet[Org]:
    """Active units under the case's handling unit (inside the actor's scope)."""
    holder = case.holder_org
    return (Org.objects.filter(path__startswith=holder.path, status="active").exclude(pk=holder.pk)
            .filter(path__startswith=actor.org.path).order_by("path"))


def cohandler_targets(*, actor, case: Case) -> QuerySet[Org]:
    return (Org.objects.filter(path__startswith=actor.org.path, status="active").exclude(pk=case.holder_org_id)
            .exclude(pk__in=case.cohandlers.values("org_id")).order_by("path"))
