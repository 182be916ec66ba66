"""Grants in bulk (issue 14 §2): 送温暖 from the hardship archive in one step, and the approval of every grant
awaiting it by a second person. Both are set-based: a handful of statements per chunk of rows, never one service
call per grant, so a city's 100,000 households go through in one request.

- ``grants_from_archive`` takes every FILED household of a subtree, judges it by the program's rules once per
  distinct set of facts (the household's category is the only fact the archive gives), and inserts APPLIED grants
  in chunks. The one-grant index ``aid_grant_one_per_period`` still holds: people with a live grant are filtered
  out first, and the insert ignores conflicts (ON CONFLICT DO NOTHING on PostgreSQL, INSERT OR IGNORE on SQLite),
  so a grant applied concurrently is counted as already there instead of failing the batch half-way.
- ``grants_approve_many`` approves the program's APPLIED grants (or the ids given) not applied for by the actor,
  under a lock on the program row, refusing the whole approval when the sum would pass the budget.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit

from . import rules as rules_mod
from .models import Grant, GrantState, Household, HouseholdState, Program
from .models.programs import LIVE_STATES

CHUNK = 2000


def _user(actor):
    return actor.user if getattr(actor.user, "is_authenticated", False) else None


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


@dataclass
class FromArchive:
    created: int = 0
    already: int = 0
    ineligible: int = 0
    no_person: int = 0
    missing: list = field(default_factory=list)  # pks of the first households counted in no_person

    @property
    def total(self) -> int:
        return self.created + self.already + self.ineligible + self.no_person


MISSING_SHOWN = 200


def filed_households(*, actor, program: Program, org=None):
    """The filed households a batch from the archive takes: ``org``'s subtree (default the paying union's),
    which must lie inside both the program's and the actor's subtree."""
    org = org or program.org
    actor.require_covers(org.path)
    if not org.path.startswith(program.org_path):
        raise ValidationError({"org": _("This program does not pay members of %(org)s.") % {"org": org.name}})
    return Household.objects.filter(org_path__startswith=org.path, state=HouseholdState.FILED)


def from_archive_count(*, actor, program: Program, org=None) -> int:
    """How many filed households a batch would take (the confirmation shows it)."""
    actor.require("aid.write")
    return filed_households(actor=actor, program=program, org=org).count()


@transaction.atomic
def grants_from_archive(*, actor, program: Program, org=None) -> FromArchive:
    """APPLIED grants for every filed household of ``org``'s subtree whose worker is in the registry and has no
    live grant of the program for its period, judged by the program's rules; one audit event for the batch."""
    actor.require("aid.write")
    org = org or program.org
    households = filed_households(actor=actor, program=program, org=org)
    # The program row is locked: two batches of the same program wait for each other (and for approvals).
    program = Program.objects.select_for_update().get(pk=program.pk)
    rules = program.rules or rules_mod.defaults_for(program.kind)
    if not rules_mod.archive_judgeable(rules):
        raise ValidationError(_("The rules of this program need facts an application gives (relationship, school, "
                                "days in hospital): grants cannot be made from the archive."))
    result = FromArchive()
    live = Grant.objects.filter(program=program, period_key=program.period_key, state__in=LIVE_STATES,
                                person_id=OuterRef("person_id"))
    # One decision per category present (the category is the only fact the archive gives).
    decisions = {category: rules_mod.evaluate(program, {"category": rules_mod.CATEGORIES.get(category, "")},
                                              on_file=True)
                 for category in households.order_by().values_list("category", flat=True).distinct()}
    eligible = {c: d.amount for c, d in decisions.items() if d.ok}
    result.missing = list(households.filter(person__isnull=True).order_by("pk")
                          .values_list("pk", flat=True)[:MISSING_SHOWN])
    result.no_person = households.filter(person__isnull=True).count() if result.missing else 0
    candidates = 0
    for category, has, n in (households.filter(person__isnull=False).annotate(has=Exists(live)).order_by()
                             .values_list("category", "has").annotate(n=Count("pk"))):
        if has:
            result.already += n
        elif category in eligible:
            candidates += n
        else:
            result.ineligible += n
    if candidates:
        pick = (households.filter(person__isnull=False, category__in=list(eligible)).exclude(Exists(live))
                .order_by().values("person_id").annotate(first=Min("pk")).values("first"))
        result.created = _insert_grants(program, pick, eligible, user=_user(actor), stamp=timezone.now())
    result.already += candidates - result.created  # two files of one person, or applied concurrently
    audit.record(actor=actor, action="aid.grant_from_archive", object_type="aid.program", object_id=program.pk,
                 scope_path=org.path, details={"unit": org.name, "created": result.created,
                                               "already": result.already, "ineligible": result.ineligible,
                                               "no_person": result.no_person})
    return result


def _insert_grants(program: Program, pick, amounts: dict, *, user, stamp) -> int:
    """One INSERT … SELECT of an APPLIED grant for each household id of ``pick`` (a subquery), its amount and facts
    by category; conflicts with the one-grant index are skipped (ON CONFLICT DO NOTHING / INSERT OR IGNORE). The
    facts of a category are sealed once and the same ciphertext is stored for each of its grants: they are the same
    words ("category": …), which the amount tells anyway. Returns how many were inserted."""
    qn = connection.ops.quote_name
    facts = Grant._meta.get_field("facts")
    named: dict[str, tuple[str, list]] = {
        "program_id": ("%s", [program.pk]), "kind": ("%s", [program.kind]),
        "period_key": ("%s", [program.period_key]), "one_per_person": ("%s", [program.one_per_person]),
        "org_id": ("h.org_id", []), "org_path": ("h.org_path", []), "person_id": ("h.person_id", []),
        "state": ("%s", [GrantState.APPLIED]), "note": ("%s", [_("From the hardship archive")[:200]]),
        "applied_by_id": ("%s", [user.pk if user else None]),
    }
    for column, values in (("amount", {c: connection.ops.adapt_decimalfield_value(a, 12, 2)
                                       for c, a in amounts.items()}),
                           ("facts", {c: facts.get_db_prep_save(json.dumps(
                               {"category": rules_mod.CATEGORIES.get(c, "")}, ensure_ascii=False), connection)
                               for c in amounts})):
        whens = " ".join("WHEN %s THEN %s" for _c in values)
        named[column] = (f"CASE h.category {whens} END", [x for c, v in values.items() for x in (c, v)])
    columns, exprs, params = [], [], []
    for f in Grant._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(qn(f.column))
        if f.attname in named:
            expr, values = named[f.attname]
        else:
            default = (stamp if f.attname == "created_at" else f.get_default() if f.has_default()
                       else None if f.null else "")
            expr, values = "%s", [f.get_db_prep_save(default, connection)]
        exprs.append(expr)
        params += values
    sub, sub_params = pick.query.sql_with_params()
    sqlite = connection.vendor == "sqlite"
    # Identifiers come from the model and are quoted; every value is a parameter.
    sql = (f"INSERT {'OR IGNORE ' if sqlite else ''}INTO {qn(Grant._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
           f"SELECT {', '.join(exprs)} FROM {qn(Household._meta.db_table)} h WHERE h.id IN ({sub})"
           f"{'' if sqlite else ' ON CONFLICT DO NOTHING'}")
    with connection.cursor() as cur:
        cur.execute(sql, [*params, *sub_params])
        return cur.rowcount


def missing_people(*, actor, result: FromArchive):
    """The households of a batch whose worker is not in the registry (the first ones), to be linked by staff."""
    return Household.objects.filter(pk__in=result.missing, org_path__startswith=actor.org.path) \
        .select_related("org").order_by("pk")


# --- the bank account of a grant made without one -----------------------------------------------------------

@transaction.atomic
def grant_set_account(*, actor, grant: Grant, bank_account: str) -> Grant:
    """Set the bank account of a grant not yet in a payment batch (a grant from the archive has none: it waits
    out of the batches until it is set). The audit records that it was set, never the number."""
    import re

    actor.require("aid.write")
    actor.require_covers(grant.org_path)
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    if grant.batch_id or grant.state not in (GrantState.APPLIED, GrantState.APPROVED):
        raise ValidationError(_("Only the account of a grant awaiting approval or approved and not in a batch can "
                                "be set."))
    account = re.sub(r"[\s-]", "", bank_account or "")
    if not re.fullmatch(r"\d{8,30}", account):
        raise ValidationError({"bank_account": _("A bank account is 8 to 30 digits.")})
    grant.bank_account = account
    grant.save(update_fields=["bank_account"])
    audit.record(actor=actor, action="aid.grant_account", object_type="aid.grant", object_id=grant.pk,
                 scope_path=grant.org_path, details={})
    return grant


# --- approval in bulk ----------------------------------------------------------------------------------------

@dataclass
class Pending:
    count: int
    total: Decimal
    own: int  # applied for by the actor: a second person must approve them


def _pending(actor, program: Program, ids=None):
    qs = Grant.objects.filter(program=program, state=GrantState.APPLIED)
    if ids is not None:
        qs = qs.filter(pk__in=[int(i) for i in ids])
    user = _user(actor)
    own = qs.filter(applied_by=user) if user is not None else qs.none()
    others = qs.exclude(applied_by=user) if user is not None else qs
    return others, own


def approve_all_preview(*, actor, program: Program) -> Pending:
    """What "approve all" would approve: the count and sum, and how many the actor applied for themself."""
    actor.require("aid.review")
    actor.require_covers(program.org_path)
    others, own = _pending(actor, program)
    agg = others.aggregate(n=Count("pk"), total=Sum("amount"))
    return Pending(agg["n"], (agg["total"] or Decimal(0)).quantize(Decimal("0.01")), own.count())


@transaction.atomic
def grants_approve_many(*, actor, program: Program, ids=None) -> int:
    """Approve the program's APPLIED grants (or those of ``ids``) by a second person: the actor's own applications
    are left applied. All or nothing: refused when the sum would pass the budget. Returns how many were approved."""
    actor.require("aid.review")
    actor.require_covers(program.org_path)
    program = Program.objects.select_for_update().get(pk=program.pk)
    others, own = _pending(actor, program, ids)
    # Set-based: the sum first (a refusal writes nothing), then one UPDATE; the program row is locked, so no batch
    # or approval of the program runs meanwhile, and a grant applied meanwhile is either in both or in neither
    # (the UPDATE's own sum is checked again below, all or nothing).
    agg = others.aggregate(n=Count("pk"), total=Sum("amount"))
    if not agg["n"]:
        raise ValidationError(_("No grant of this program is awaiting your approval."))

    def refuse(n, total):
        return ValidationError(_("Approving %(n)s grants of %(a)s yuan would pass the budget of %(p)s: %(b)s yuan "
                                 "budgeted, %(u)s already approved, %(r)s left. Nothing was approved.") % {
            "n": n, "a": total, "p": program.name, "b": program.budget, "u": program.approved_total,
            "r": program.budget - program.approved_total})

    if program.approved_total + agg["total"] > program.budget:
        raise refuse(agg["n"], agg["total"].quantize(Decimal("0.01")))
    user, now = _user(actor), timezone.now()
    done = others.update(state=GrantState.APPROVED, decided_by=user, decided_at=now)
    total = (Grant.objects.filter(program=program, state=GrantState.APPROVED, decided_at=now, decided_by=user)
             .aggregate(t=Sum("amount"))["t"] or Decimal(0)).quantize(Decimal("0.01"))
    if program.approved_total + total > program.budget:
        raise refuse(done, total)
    Program.objects.filter(pk=program.pk).update(approved_total=F("approved_total") + total)
    audit.record(actor=actor, action="aid.grant_approve_many", object_type="aid.program", object_id=program.pk,
                 scope_path=program.org_path, details={"count": done, "total": str(total),
                                                       "own_left": own.count()})
    return done
