"""Reads for budgets, decisions, audits, suppliers and the public board, always scoped to the actor's subtree: an
object outside it is a 404, exactly like a missing one."""

import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from gonghui.orgs.models import Org

from .books import year_checked
from .decisions import LARGE_EXPENSE
from .models import (
    AccountKind,
    Audit,
    AuditFinding,
    Budget,
    Decision,
    Disclosure,
    FinalAccount,
    FindingState,
    Supplier,
    VoucherLine,
)


def _scoped(actor, qs: QuerySet, field: str = "org_path") -> QuerySet:
    actor.require("funds.view")
    return qs.filter(**{f"{field}__startswith": actor.org.path})


def budget_list(*, actor, year: int | None = None, state: str = "", under: Org | None = None) -> QuerySet[Budget]:
    qs = _scoped(actor, Budget.objects.select_related("org", "decision"))
    if under is not None:
        qs = qs.filter(org_path__startswith=under.path)
    if year:
        qs = qs.filter(year=year)
    if state:
        qs = qs.filter(state=state)
    return qs


def budget_get(*, actor, code: str, year: int) -> Budget:
    return get_object_or_404(_scoped(actor, Budget.objects.select_related("org", "decision")), org__code=code,
                             year=year)


def decision_list(*, actor, under: Org | None = None, q: str = "") -> QuerySet[Decision]:
    qs = _scoped(actor, Decision.objects.select_related("org"))
    if under is not None:
        qs = qs.filter(org_path__startswith=under.path)
    if q := (q or "").strip():
        qs = qs.filter(Q(reference__icontains=q) | Q(title__icontains=q))
    return qs


def decisions_of(*, actor, org: Org) -> QuerySet[Decision]:
    """The decisions of one union (for choosing the one that approved a budget)."""
    actor.require_covers(org.path)
    return _scoped(actor, Decision.objects.filter(org=org)).order_by("-date", "-id")


def decision_by_ref(*, actor, org: Org, reference: str) -> Decision | None:
    reference = (reference or "").strip()
    if not reference:
        return None
    return decisions_of(actor=actor, org=org).filter(reference=reference).first()


def large_expenses(*, actor, org: Org, year: int, threshold: Decimal = LARGE_EXPENSE) -> QuerySet[VoucherLine]:
    """Expense debits of at least ``threshold`` in ``org``'s subtree and year, not reversed, with their decision."""
    actor.require_covers(org.path)
    year = year_checked(year)
    return (_scoped(actor, VoucherLine.objects.select_related("voucher", "voucher__org", "account", "decision"))
            .filter(org_path__startswith=org.path, kind=AccountKind.EXPENSE, debit__gte=threshold, voided=False,
                    date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)))


def final_get(*, actor, org: Org, year: int) -> FinalAccount | None:
    actor.require_covers(org.path)
    return _scoped(actor, FinalAccount.objects.filter(org=org, year=year)).select_related("decision").first()


def audit_list(*, actor, under: Org | None = None, year: int | None = None) -> QuerySet[Audit]:
    qs = _scoped(actor, Audit.objects.select_related("org"))
    if under is not None:
        qs = qs.filter(org_path__startswith=under.path)
    if year:
        qs = qs.filter(year=year)
    return qs


def audit_get(*, actor, code: str, year: int) -> Audit:
    return get_object_or_404(_scoped(actor, Audit.objects.select_related("org")), org__code=code, year=year)


def finding_get(*, actor, audit_: Audit, pk) -> AuditFinding:
    if not str(pk).isdigit():
        raise Http404
    return get_object_or_404(_scoped(actor, AuditFinding.objects.filter(audit=audit_)), pk=pk)


def findings_overdue(*, actor, today: datetime.date) -> QuerySet[AuditFinding]:
    """Findings not rectified by their date, in the actor's subtree."""
    return (_scoped(actor, AuditFinding.objects.select_related("audit", "audit__org"))
            .exclude(state=FindingState.RECTIFIED).filter(due_on__lt=today))


def supplier_list(*, actor, active_only: bool = False) -> QuerySet[Supplier]:
    """The suppliers of the lists kept by the actor's federation and the federations above it are all visible to
    staff reading funds; the actor's own subtree's lists too."""
    actor.require("funds.view")
    path = actor.org.path
    ancestors = [path[:i] for i in range(4, len(path) + 1, 4)]
    qs = Supplier.objects.select_related("org").filter(Q(org_path__in=ancestors) | Q(org_path__startswith=path))
    return qs.filter(active=True) if active_only else qs


def supplier_get(*, actor, pk) -> Supplier:
    if not str(pk).isdigit():
        raise Http404
    return get_object_or_404(_scoped(actor, Supplier.objects.all()), pk=pk)


def disclosure_get(*, actor, org: Org, year: int) -> Disclosure | None:
    actor.require_covers(org.path)
    return _scoped(actor, Disclosure.objects.filter(org=org, year=year)).first()


# --- the public board: published summaries only, no personal data -----------------------------------------------

def published_boards(org: Org) -> list[Disclosure]:
    """A union's published yearly summaries, newest year first (public)."""
    return list(Disclosure.objects.filter(org=org).order_by("-year"))
