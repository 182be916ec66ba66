"""Proposals (提案) of a workers' congress, from a delegate's submission to the proposer's rating of the reply.

    submitted ─┬─ accepted (立案) ── assigned (a department, a deadline in working days) ── answered ── rated
               ├─ converted (转意见: passed on as an opinion, with a note of where)
               └─ declined (不予立案: with the reason)
    rated "not satisfied" may be reopened once: assigned again with a new deadline.

A delegate does not sign in: the union's office enters the proposal (a paper 提案表 with its co-signers'
signatures) and later the proposer's rating, on their behalf; each event records who entered it. The number of
co-signers is the congress's setting (2 unless changed), the deadline the congress's working days (15 unless
changed) from the day of assignment, on the working-day calendar.

Supervision is the shared mechanism of ``gonghui.core.supervision`` (kind "proposal"): an assigned proposal is blue
when its answer is due within the kind's ``blue_within`` working days, red once overdue; a proposal waiting for the
committee (submitted, or accepted and not assigned) for more than ``COMMITTEE_DAYS`` working days is yellow. The
tick (``proposals_tick``) recolors, reminds the unit holding the congress once before the deadline and once when it
passes (one text per unit and sweep naming the departments), and raises an overdue proposal once to the supervision
list of the parent unit; an answered one leaves that list.
"""

import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import audit, notify, supervision
from gonghui.core.workdays import add_workdays, workdays_between

from .models import (
    Congress,
    Delegate,
    Proposal,
    ProposalEvent,
    ProposalEventKind,
    ProposalState,
    Rating,
)

KIND = "proposal"
supervision.register_kind(KIND, label=gettext_lazy("Workers' congress proposal"), perm="democracy.view",
                          blue_within=3, remind_before=3, url_name="democracy:proposal_detail")
COMMITTEE_DAYS = 10  # working days the proposal committee takes to decide and to assign, before it shows yellow
MAX_COSIGNERS = 100

notify.TEMPLATES.setdefault("democracy.proposal_reminder", gettext_lazy(
    "%(org)s: %(n)s congress proposals await a department's answer (%(red)s overdue, %(blue)s due soon): "
    "%(departments)s. See 提案 in the work platform."))

WAITING = (ProposalState.SUBMITTED, ProposalState.ACCEPTED)
OPEN = (ProposalState.SUBMITTED, ProposalState.ACCEPTED, ProposalState.ASSIGNED)


def _user(actor):
    return actor.user if getattr(actor.user, "is_authenticated", False) else None


def _text(value, field: str, message: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}})
    return value


def _day(value, today: datetime.date, field: str) -> datetime.date:
    value = value or today
    if not isinstance(value, datetime.date) or value.year < 2000:
        raise ValidationError({field: _("Enter a day.")})
    if value > today:
        raise ValidationError({field: _("The day cannot be in the future.")})
    return value


def color_of(p: Proposal, today: datetime.date, blue_within: int | None = None) -> str:
    """The supervision color of a proposal today: "", "blue", "yellow" or "red"."""
    if p.state == ProposalState.ASSIGNED:
        if blue_within is None:
            blue_within = supervision.thresholds(KIND).blue_within
        return supervision.color_for(due_on=p.due_on, today=today, stalled=False, blue_within=blue_within)
    if p.state in WAITING:
        since = p.submitted_on if p.state == ProposalState.SUBMITTED else (p.decided_on or p.submitted_on)
        return supervision.YELLOW if workdays_between(since, today) > COMMITTEE_DAYS else ""
    return ""


def _event(actor, p: Proposal, kind: str, note: str = "", **details) -> None:
    ProposalEvent.objects.create(proposal=p, kind=kind, by=_user(actor), note=note)
    audit.record(actor=actor, action=f"democracy.proposal_{kind}", object_type="democracy.proposal",
                 object_id=p.pk, scope_path=p.org_path, details={"number": p.number, **details})


def _lock(actor, proposal: Proposal, *states) -> Proposal:
    actor.require("democracy.write")
    actor.require_covers(proposal.org_path)
    p = Proposal.objects.select_for_update().select_related("congress__org").get(pk=proposal.pk)
    if states and p.state not in states:
        raise ValidationError(_("This proposal is %(state)s: it cannot take this step.") % {
            "state": p.get_state_display()})
    return p


def _decided(p: Proposal, on, today: datetime.date) -> datetime.date:
    day = _day(on, today, "on")
    if day < p.submitted_on:
        raise ValidationError({"on": _("The committee decides after the proposal is submitted (%(d)s).") % {
            "d": p.submitted_on}})
    return day


def _save(p: Proposal, fields: list[str]) -> None:
    p.color = color_of(p, timezone.localdate())
    p.full_clean(exclude=["cosigners", "entered_by", "proposer", "congress"])
    p.save(update_fields=[*fields, "color"])


# --- submission ----------------------------------------------------------------------------------------------

@transaction.atomic
def proposal_submit(*, actor, congress: Congress, proposer: Delegate, cosigners, title: str, reason: str,
                    suggestion: str, submitted_on: datetime.date | None = None) -> Proposal:
    """A delegate's proposal with its co-signers (delegates of the same congress, the proposer not among them),
    entered by the union's office on the delegate's behalf. Numbered 第N届-001 in the order received."""
    actor.require("democracy.write")
    actor.require_covers(congress.org_path)
    today = timezone.localdate()
    congress = Congress.objects.select_for_update().select_related("org").get(pk=congress.pk)
    submitted_on = _day(submitted_on, today, "submitted_on")
    errors = {}
    if not congress.term_start <= submitted_on <= congress.term_end:
        errors["submitted_on"] = _("Proposals are submitted within the term (%(a)s to %(b)s).") % {
            "a": congress.term_start, "b": congress.term_end}
    if proposer is None or proposer.congress_id != congress.pk:
        errors["proposer"] = _("Choose the proposer among the delegates of this congress.")
    signers = list(dict.fromkeys(cosigners or []))
    if len(signers) > MAX_COSIGNERS:
        errors["cosigners"] = _("At most %(n)s co-signers.") % {"n": MAX_COSIGNERS}
    elif any(getattr(d, "congress_id", None) != congress.pk for d in signers):
        errors["cosigners"] = _("Co-signers must be delegates of this congress.")
    elif proposer is not None and any(d.pk == proposer.pk for d in signers):
        errors["cosigners"] = _("The proposer does not co-sign their own proposal.")
    elif len(signers) < congress.cosigners_required:
        errors["cosigners"] = _("A proposal needs %(n)s co-signers besides its proposer; %(k)s given.") % {
            "n": congress.cosigners_required, "k": len(signers)}
    try:
        title = _text(title, "title", _("Give the proposal a title."), 100)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        reason = _text(reason, "reason", _("Write the reasons."), 3000)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        suggestion = _text(suggestion, "suggestion", _("Write the suggestions."), 3000)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    congress.proposal_seq += 1
    congress.save(update_fields=["proposal_seq"])
    seq = congress.proposal_seq
    p = Proposal(congress=congress, org_path=congress.org_path, seq=seq, number=f"第{congress.term}届-{seq:03d}",
                 title=title, reason=reason, suggestion=suggestion, proposer=proposer, submitted_on=submitted_on,
                 entered_by=_user(actor))
    p.color = color_of(p, today)
    p.full_clean(exclude=["cosigners", "entered_by"])
    p.save(force_insert=True)
    p.cosigners.set(signers)
    _event(actor, p, "submitted", note=_("Proposer %(p)s; co-signers: %(c)s") % {
        "p": proposer.name, "c": "、".join(d.name for d in signers) or "—"}, cosigners=len(signers))
    return p


# --- the committee's decision --------------------------------------------------------------------------------

@transaction.atomic
def proposal_accept(*, actor, proposal: Proposal, note: str = "", on: datetime.date | None = None) -> Proposal:
    """The proposal committee accepts it (立案): next it is assigned to a department."""
    today = timezone.localdate()
    p = _lock(actor, proposal, ProposalState.SUBMITTED)
    p.decided_on = _decided(p, on, today)
    p.decision_note = _text(note, "note", "", 500, required=False)
    p.state = ProposalState.ACCEPTED
    _save(p, ["state", "decided_on", "decision_note"])
    _event(actor, p, "accepted", note=p.decision_note)
    return p


@transaction.atomic
def proposal_convert(*, actor, proposal: Proposal, note: str, on: datetime.date | None = None) -> Proposal:
    """Not a matter for a proposal, but worth passing on: an opinion (意见建议), the note saying to whom."""
    today = timezone.localdate()
    p = _lock(actor, proposal, ProposalState.SUBMITTED)
    p.decision_note = _text(note, "note", _("Say where the opinion is passed on to."), 500)
    p.decided_on = _decided(p, on, today)
    p.state = ProposalState.CONVERTED
    _save(p, ["state", "decided_on", "decision_note"])
    _event(actor, p, "converted", note=p.decision_note)
    supervision.resolve_items(kind=KIND, object_ids=[p.pk])
    return p


@transaction.atomic
def proposal_decline(*, actor, proposal: Proposal, reason: str, on: datetime.date | None = None) -> Proposal:
    """不予立案, with the reason the proposer is given (required)."""
    today = timezone.localdate()
    p = _lock(actor, proposal, ProposalState.SUBMITTED)
    p.decision_note = _text(reason, "reason", _("Give the reason the proposal is declined."), 500)
    p.decided_on = _decided(p, on, today)
    p.state = ProposalState.DECLINED
    _save(p, ["state", "decided_on", "decision_note"])
    _event(actor, p, "declined", note=p.decision_note)
    supervision.resolve_items(kind=KIND, object_ids=[p.pk])
    return p


# --- handling ------------------------------------------------------------------------------------------------

def due_date(start: datetime.date, days: int) -> datetime.date:
    d = add_workdays(start, days)
    return datetime.date(d.year, d.month, d.day)


@transaction.atomic
def proposal_assign(*, actor, proposal: Proposal, department: str, handler: str = "",
                    on: datetime.date | None = None) -> Proposal:
    """Assign an accepted proposal to the department that answers it, by the congress's working days from ``on``."""
    today = timezone.localdate()
    p = _lock(actor, proposal, ProposalState.ACCEPTED)
    p.department = _text(department, "department", _("Enter the department that answers the proposal."), 60)
    p.handler = _text(handler, "handler", "", 50, required=False)
    p.assigned_on = _day(on, today, "on")
    if p.decided_on and p.assigned_on < p.decided_on:
        raise ValidationError({"on": _("A proposal is assigned after it is accepted (%(d)s).") % {
            "d": p.decided_on}})
    p.due_on = due_date(p.assigned_on, p.congress.reply_days)
    p.state = ProposalState.ASSIGNED
    p.reminded_on, p.overdue_told = None, False
    _save(p, ["state", "department", "handler", "assigned_on", "due_on", "reminded_on", "overdue_told"])
    _event(actor, p, "assigned", note=_("%(dept)s %(handler)s, answer due %(due)s") % {
        "dept": p.department, "handler": p.handler, "due": p.due_on}, due_on=p.due_on, department=p.department)
    return p


@transaction.atomic
def proposal_answer(*, actor, proposal: Proposal, reply: str, on: datetime.date | None = None) -> Proposal:
    """The department's reply, recorded by the union; the proposal leaves the supervision list."""
    today = timezone.localdate()
    p = _lock(actor, proposal, ProposalState.ASSIGNED)
    p.reply = _text(reply, "reply", _("Write the department's reply."), 5000)
    p.answered_on = _day(on, today, "on")
    if p.answered_on < p.assigned_on:
        raise ValidationError({"on": _("The reply cannot come before the assignment (%(d)s).") % {
            "d": p.assigned_on}})
    p.state = ProposalState.ANSWERED
    _save(p, ["state", "reply", "answered_on"])
    late = p.answered_on > p.due_on
    _event(actor, p, "answered", note=p.reply, late=late)
    supervision.resolve_items(kind=KIND, object_ids=[p.pk])
    return p


@transaction.atomic
def proposal_rate(*, actor, proposal: Proposal, rating: str, note: str = "", on: datetime.date | None = None
                  ) -> Proposal:
    """The proposer's rating of the reply, entered on their behalf."""
    today = timezone.localdate()
    p = _lock(actor, proposal, ProposalState.ANSWERED)
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose satisfied, basically satisfied or not satisfied.")})
    p.rating, p.rating_note = rating, _text(note, "note", "", 500, required=False)
    p.rated_on = _day(on, today, "on")
    if p.rated_on < p.answered_on:
        raise ValidationError({"on": _("The rating cannot come before the reply (%(d)s).") % {"d": p.answered_on}})
    p.state = ProposalState.RATED
    _save(p, ["state", "rating", "rating_note", "rated_on"])
    _event(actor, p, "rated", note=f"{p.get_rating_display()} {p.rating_note}".strip(),
           rating=rating)
    return p


def can_reopen(p: Proposal) -> bool:
    return p.state == ProposalState.RATED and p.rating == Rating.UNSATISFIED and not p.reopened


@transaction.atomic
def proposal_reopen(*, actor, proposal: Proposal, department: str = "", handler: str = "",
                    on: datetime.date | None = None) -> Proposal:
    """A reply the proposer was not satisfied with goes back to a department (the same unless another is named),
    with a new deadline; once only. The earlier reply stays in the timeline."""
    today = timezone.localdate()
    p = _lock(actor, proposal, ProposalState.RATED)
    if not can_reopen(p):
        raise ValidationError(_("Only a reply rated not satisfied can be reopened, and only once."))
    assigned_on = _day(on, today, "on")
    if assigned_on < p.rated_on:
        raise ValidationError({"on": _("A proposal is assigned again after the rating (%(d)s).") % {
            "d": p.rated_on}})
    p.department = _text(department, "department", "", 60, required=False) or p.department
    p.handler = _text(handler, "handler", "", 50, required=False) or p.handler
    p.assigned_on, p.due_on = assigned_on, due_date(assigned_on, p.congress.reply_days)
    p.reply, p.answered_on, p.rating, p.rating_note, p.rated_on = "", None, "", "", None
    p.state, p.reopened, p.reminded_on, p.overdue_told = ProposalState.ASSIGNED, True, None, False
    _save(p, ["state", "reopened", "department", "handler", "assigned_on", "due_on", "reply", "answered_on",
              "rating", "rating_note", "rated_on", "reminded_on", "overdue_told"])
    _event(actor, p, "reopened", note=_("%(dept)s %(handler)s, answer due %(due)s") % {
        "dept": p.department, "handler": p.handler, "due": p.due_on}, due_on=p.due_on)
    return p


# --- the tick --------------------------------------------------------------------------------------------------

def _tick_event(events: list, p: Proposal, kind: str, note: str, now: datetime.datetime) -> None:
    """A timeline event of the sweep (written in bulk with the others) and its audit event."""
    from gonghui.core.access import SYSTEM

    events.append(ProposalEvent(proposal=p, kind=kind, at=now, note=note))
    audit.record(actor=SYSTEM, action=f"democracy.proposal_{kind}", object_type="democracy.proposal",
                 object_id=p.pk, scope_path=p.org_path, details={"number": p.number, "due_on": p.due_on})


def proposals_tick(now: datetime.datetime | None = None) -> dict:
    """Recolor the open proposals; remind the unit holding each assigned one once before its deadline and once
    when it passes; raise the overdue ones once to the parent unit's supervision list; resolve the items of the
    proposals no longer overdue. Repeatable: nothing is sent or raised twice."""
    from gonghui.orgs.models import Org

    now = now or timezone.now()
    today = timezone.localdate(now)
    blue_within, remind_before = supervision.thresholds(KIND)
    counts = {"checked": 0, "recolored": 0, "reminders": 0, "escalations": 0, "resolved": 0}
    with transaction.atomic():
        rows = list(Proposal.objects.select_for_update().filter(state__in=OPEN).select_related("congress__org")
                    .order_by("pk"))
        recolor: dict[str, list[int]] = defaultdict(list)
        told: dict[int, dict] = defaultdict(lambda: {"red": 0, "blue": 0, "departments": []})
        red_rows = []
        events = []
        for p in rows:
            counts["checked"] += 1
            color = color_of(p, today, blue_within)
            if color != p.color:
                recolor[color].append(p.pk)
            if p.state != ProposalState.ASSIGNED:
                continue
            org = p.congress.org
            due = supervision.reminder_due(due_on=p.due_on, today=today, remind_before=remind_before)
            if due == "overdue" and not p.overdue_told:
                Proposal.objects.filter(pk=p.pk).update(overdue_told=True, reminded_on=p.reminded_on or today)
                told[org.pk]["red"] += 1
                told[org.pk]["departments"].append(p.department)
                _tick_event(events, p, "reminded", _("Overdue since %(d)s: the unit was reminded.") % {
                    "d": p.due_on}, now)
                red_rows.append(supervision.Raise(object_id=p.pk, key=f"due:{p.due_on.isoformat()}",
                                                  holder_org_id=org.pk, holder_path=p.org_path, due_on=p.due_on,
                                                  title=f"{p.number} {p.title}",
                                                  url=reverse("democracy:proposal_detail", args=[p.pk])))
            elif due == "before" and p.reminded_on is None:
                Proposal.objects.filter(pk=p.pk).update(reminded_on=today)
                told[org.pk]["blue"] += 1
                told[org.pk]["departments"].append(p.department)
                _tick_event(events, p, "reminded", _("Answer due %(d)s: the unit was reminded.") % {
                    "d": p.due_on}, now)
        for color, ids in recolor.items():
            Proposal.objects.filter(pk__in=ids).update(color=color)
        raised = supervision.raise_many(kind=KIND, rows=red_rows, now=now)
        raised_ids = {item.object_id for item in raised}
        for r in red_rows:
            if r.object_id in raised_ids:
                _tick_event(events, next(p for p in rows if p.pk == r.object_id), "escalated",
                            _("Raised to the supervision list of the unit above."), now)
        ProposalEvent.objects.bulk_create(events)
        for org in Org.objects.filter(pk__in=list(told)).exclude(contact_phone=""):
            c = told[org.pk]
            departments = "、".join(dict.fromkeys(c["departments"]))
            notify.send_on_commit(to_phone=org.contact_phone, template="democracy.proposal_reminder",
                                  context={"org": org.name, "n": c["red"] + c["blue"], "red": c["red"],
                                           "blue": c["blue"], "departments": departments[:60]})
        still_red = {r.object_id for r in red_rows} | set(
            Proposal.objects.filter(state=ProposalState.ASSIGNED, due_on__lt=today).values_list("pk", flat=True))
        gone = supervision.open_object_ids(kind=KIND) - still_red
        counts["resolved"] = supervision.resolve_items(kind=KIND, object_ids=gone, now=now) if gone else 0
    counts["recolored"] = sum(len(v) for v in recolor.values())
    counts["reminders"] = sum(1 for e in events if e.kind == ProposalEventKind.REMINDED)
    counts["escalations"] = len(raised)
    return counts
