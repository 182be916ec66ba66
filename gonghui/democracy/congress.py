"""Workers' congresses (职代会 / 教代会): a term, its sessions and the votes on each agenda item, its delegates and
their composition, and the unit's 厂务公开 / 校务公开 records. The proposals are in ``proposals.py``.

Who acts: a union officer with ``democracy.write`` whose subtree holds the congress's unit. Adoption of an agenda
item follows the rule written on the page: more than half of *all* the delegates of the congress voted for it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit

from .models import (
    AgendaItem,
    AgendaKind,
    Congress,
    CongressKind,
    Delegate,
    Disclosure,
    DisclosureChannel,
    DisclosureKind,
    Session,
)

MANAGER_SHARE_MAX = 20  # % of the delegates: 企业民主管理规定 (2012), art. 15
MAX_DELEGATES = 2000


def _user(actor):
    return actor.user if getattr(actor.user, "is_authenticated", False) else None


def _text(value, field: str, message: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}})
    return value


def _date(value, field: str, message: str) -> datetime.date:
    if not isinstance(value, datetime.date) or value.year < 2000:
        raise ValidationError({field: message})
    return value


def _audit(actor, action: str, obj, object_type: str, path: str, **details):
    audit.record(actor=actor, action=action, object_type=object_type, object_id=obj.pk, scope_path=path,
                 details=details)


# --- the congress ---------------------------------------------------------------------------------------------

def _clean_rules(cosigners_required, reply_days) -> dict:
    errors = {}
    if not isinstance(cosigners_required, int) or not 0 <= cosigners_required <= 50:
        errors["cosigners_required"] = _("Enter the number of co-signers a proposal needs, from 0 to 50.")
    if not isinstance(reply_days, int) or not 1 <= reply_days <= 60:
        errors["reply_days"] = _("Enter the working days to answer a proposal, from 1 to 60.")
    return errors


@transaction.atomic
def congress_create(*, actor, org, kind: str, term: int, term_start: datetime.date, term_end: datetime.date,
                    cosigners_required: int = 2, reply_days: int = 15) -> Congress:
    actor.require("democracy.write")
    actor.require_covers(org.path)
    errors = _clean_rules(cosigners_required, reply_days)
    if kind not in CongressKind.values:
        errors["kind"] = _("Choose a workers' or a teachers' congress.")
    if not isinstance(term, int) or not 1 <= term <= 99:
        errors["term"] = _("Enter the term as a number from 1 to 99 (第3届: 3).")
    if not isinstance(term_start, datetime.date) or term_start.year < 2000:
        errors["term_start"] = _("Enter the day the term starts.")
    if not isinstance(term_end, datetime.date):
        errors["term_end"] = _("Enter the day the term ends.")
    elif isinstance(term_start, datetime.date) and term_end <= term_start:
        errors["term_end"] = _("The term must end after it starts.")
    if not errors and Congress.objects.filter(org=org, kind=kind, term=term).exists():
        errors["term"] = _("%(org)s already has term %(t)s of this congress.") % {"org": org.name, "t": term}
    if errors:
        raise ValidationError(errors)
    congress = Congress(org=org, org_path=org.path, kind=kind, term=term, term_start=term_start, term_end=term_end,
                        cosigners_required=cosigners_required, reply_days=reply_days, created_by=_user(actor))
    congress.full_clean(exclude=["created_by"])
    congress.save(force_insert=True)
    _audit(actor, "democracy.congress_create", congress, "democracy.congress", congress.org_path, kind=kind,
           term=term, term_start=term_start, term_end=term_end)
    return congress


@transaction.atomic
def congress_update(*, actor, congress: Congress, term_end: datetime.date, cosigners_required: int,
                    reply_days: int) -> Congress:
    """The term's end and its proposal rules. A new number of co-signers applies to proposals submitted from now
    on; a new number of working days to deadlines given from now on."""
    actor.require("democracy.write")
    actor.require_covers(congress.org_path)
    congress = Congress.objects.select_for_update().get(pk=congress.pk)
    errors = _clean_rules(cosigners_required, reply_days)
    if not isinstance(term_end, datetime.date):
        errors["term_end"] = _("Enter the day the term ends.")
    elif term_end <= congress.term_start:
        errors["term_end"] = _("The term must end after it starts.")
    if errors:
        raise ValidationError(errors)
    before = {"term_end": congress.term_end, "cosigners_required": congress.cosigners_required,
              "reply_days": congress.reply_days}
    congress.term_end, congress.cosigners_required, congress.reply_days = term_end, cosigners_required, reply_days
    congress.full_clean(exclude=["created_by"])
    congress.save(update_fields=["term_end", "cosigners_required", "reply_days"])
    _audit(actor, "democracy.congress_update", congress, "democracy.congress", congress.org_path,
           term_end=term_end, cosigners_required=cosigners_required, reply_days=reply_days, before=before)
    return congress


# --- delegates and their composition ---------------------------------------------------------------------------

def _composition(row: dict) -> dict:
    total = row.get("total") or 0

    def share(n):
        return round(100 * n / total, 1) if total else None

    managers = row.get("managers") or 0
    over = bool(total) and managers * 100 > MANAGER_SHARE_MAX * total
    return {
        "total": total, "front_line": row.get("front_line") or 0, "women": row.get("women") or 0,
        "managers": managers, "front_line_share": share(row.get("front_line") or 0),
        "women_share": share(row.get("women") or 0), "managers_share": share(managers),
        "manager_limit": MANAGER_SHARE_MAX, "warning": _(
            "Managers are %(share)s%% of the delegates (%(m)s of %(t)s): the rules allow at most %(limit)s%%.") % {
            "share": share(managers), "m": managers, "t": total, "limit": MANAGER_SHARE_MAX} if over else "",
    }


_COUNTS = {"total": Count("pk"), "front_line": Count("pk", filter=Q(front_line=True)),
           "women": Count("pk", filter=Q(woman=True)), "managers": Count("pk", filter=Q(manager=True))}


def composition(congress: Congress) -> dict:
    """Delegates, front-line workers, women and managers, with their shares and the managers' warning: one
    aggregate query over the congress's delegate rows."""
    return _composition(Delegate.objects.filter(congress=congress).aggregate(**_COUNTS))


def compositions(congress_ids) -> dict[int, dict]:
    """The composition of several congresses (a list page): one query grouped by congress."""
    rows = Delegate.objects.filter(congress_id__in=list(congress_ids)).values("congress_id").annotate(**_COUNTS) \
        .order_by()
    found = {r["congress_id"]: _composition(r) for r in rows}
    return {pk: found.get(pk) or _composition({}) for pk in congress_ids}


def find_member(*, congress: Congress, id_number: str):
    """The person of the members registry with this resident ID number, an active member of a union at or under
    the congress's unit; else a ValidationError naming the field."""
    from gonghui.core.identity import DocumentType, normalize_document
    from gonghui.members.models import Membership
    from gonghui.members.services import person_find

    try:
        number = normalize_document(DocumentType.RESIDENT_ID, id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    person = person_find(doc_type=DocumentType.RESIDENT_ID, id_number=number)
    if person is None or not Membership.objects.filter(person=person, status="active",
                                                       org_path__startswith=congress.org_path).exists():
        raise ValidationError({"id_number": _("No active member of %(org)s or its branches has this ID number.")
                               % {"org": congress.org.name}})
    return person


def clean_delegate(*, congress: Congress, name: str, election_unit: str, front_line: bool, woman: bool,
                   manager: bool, person=None) -> Delegate:
    name = _text(name, "name", _("Enter the delegate's name."), 50)
    unit = _text(election_unit, "election_unit", _("Enter the election unit (a workshop, a department...)."), 60)
    if front_line and manager:
        raise ValidationError({"manager": _("A delegate is a front-line worker or a manager, not both.")})
    return Delegate(congress=congress, person=person, name=name, election_unit=unit, front_line=bool(front_line),
                    woman=bool(woman), manager=bool(manager))


@transaction.atomic
def delegate_add(*, actor, congress: Congress, name: str, election_unit: str, front_line: bool = False,
                 woman: bool = False, manager: bool = False, id_number: str = "") -> Delegate:
    actor.require("democracy.write")
    actor.require_covers(congress.org_path)
    person = find_member(congress=congress, id_number=id_number) if (id_number or "").strip() else None
    delegate = clean_delegate(congress=congress, name=name, election_unit=election_unit, front_line=front_line,
                              woman=woman, manager=manager, person=person)
    if Delegate.objects.filter(congress=congress, election_unit=delegate.election_unit, name=delegate.name).exists():
        raise ValidationError({"name": _("%(name)s of %(unit)s is a delegate already.") % {
            "name": delegate.name, "unit": delegate.election_unit}})
    if person is not None and Delegate.objects.filter(congress=congress, person=person).exists():
        raise ValidationError({"id_number": _("This member is a delegate already.")})
    if Delegate.objects.filter(congress=congress).count() >= MAX_DELEGATES:
        raise ValidationError(_("A congress has at most %(n)s delegates.") % {"n": MAX_DELEGATES})
    delegate.full_clean()
    delegate.save(force_insert=True)
    _audit(actor, "democracy.delegate_add", congress, "democracy.congress", congress.org_path,
           unit=delegate.election_unit, linked=person is not None)
    return delegate


# --- sessions and agenda items ---------------------------------------------------------------------------------

@transaction.atomic
def session_create(*, actor, congress: Congress, held_on: datetime.date, present: int, place: str = "",
                   number: int | None = None) -> Session:
    """A session of the congress. The delegates it counts are those registered now (the base of the adoption and
    quorum rules for its votes)."""
    actor.require("democracy.write")
    actor.require_covers(congress.org_path)
    congress = Congress.objects.select_for_update().get(pk=congress.pk)
    held_on = _date(held_on, "held_on", _("Enter the day the session was held."))
    if not congress.term_start <= held_on <= congress.term_end:
        raise ValidationError({"held_on": _("The session must fall within the term (%(a)s to %(b)s).") % {
            "a": congress.term_start, "b": congress.term_end}})
    total = Delegate.objects.filter(congress=congress).count()
    if not total:
        raise ValidationError(_("Enter the congress's delegates before its sessions."))
    if not isinstance(present, int) or not 0 < present <= total:
        raise ValidationError({"present": _("Enter the delegates present, from 1 to the %(n)s delegates.") % {
            "n": total}})
    if number is None:
        number = (Session.objects.filter(congress=congress).aggregate(n=Max("number"))["n"] or 0) + 1
    elif not isinstance(number, int) or not 1 <= number <= 99:
        raise ValidationError({"number": _("Enter the session's number, from 1 to 99.")})
    if Session.objects.filter(congress=congress, number=number).exists():
        raise ValidationError({"number": _("Session %(n)s is recorded already.") % {"n": number}})
    session = Session(congress=congress, org_path=congress.org_path, number=number, held_on=held_on,
                      place=_text(place, "place", "", 100, required=False), present=present, delegates_total=total)
    session.full_clean()
    session.save(force_insert=True)
    _audit(actor, "democracy.session_create", congress, "democracy.congress", congress.org_path, number=number,
           held_on=held_on, present=present, delegates=total)
    return session


def _clean_votes(session: Session, votes) -> tuple[int, int, int] | tuple[None, None, None]:
    if votes is None:
        return None, None, None
    try:
        v_for, v_against, v_abstain = votes
    except (TypeError, ValueError):
        raise ValidationError({"votes_for": _("Enter the votes for, against and the abstentions.")}) from None
    for field, v in (("votes_for", v_for), ("votes_against", v_against), ("votes_abstain", v_abstain)):
        if not isinstance(v, int) or v < 0:
            raise ValidationError({field: _("Enter a whole number, 0 or more.")})
    if v_for + v_against + v_abstain > session.present:
        raise ValidationError({"votes_for": _("%(n)s votes, more than the %(p)s delegates present.") % {
            "n": v_for + v_against + v_abstain, "p": session.present}})
    return v_for, v_against, v_abstain


@transaction.atomic
def agenda_item_add(*, actor, session: Session, title: str, kind: str, votes=None) -> AgendaItem:
    """An item the session reviewed; ``votes`` (for, against, abstain) when it was put to the vote."""
    actor.require("democracy.write")
    actor.require_covers(session.org_path)
    session = Session.objects.select_for_update().get(pk=session.pk)
    title = _text(title, "title", _("Enter the item's title."), 100)
    if kind not in AgendaKind.values:
        raise ValidationError({"kind": _("Choose the kind of item.")})
    v_for, v_against, v_abstain = _clean_votes(session, votes)
    position = (AgendaItem.objects.filter(session=session).aggregate(n=Max("position"))["n"] or 0) + 1
    item = AgendaItem(session=session, position=position, title=title, kind=kind, votes_for=v_for,
                      votes_against=v_against, votes_abstain=v_abstain)
    item.full_clean()
    item.save(force_insert=True)
    _audit(actor, "democracy.agenda_add", session.congress, "democracy.congress", session.org_path,
           session=session.number, title=title, votes_for=v_for, votes_against=v_against, votes_abstain=v_abstain,
           adopted=item.adopted)
    return item


@transaction.atomic
def agenda_item_vote(*, actor, item: AgendaItem, votes_for: int, votes_against: int, votes_abstain: int
                     ) -> AgendaItem:
    """Record (or correct) the vote on an item."""
    actor.require("democracy.write")
    actor.require_covers(item.session.org_path)
    item = AgendaItem.objects.select_for_update().select_related("session__congress").get(pk=item.pk)
    item.votes_for, item.votes_against, item.votes_abstain = _clean_votes(
        item.session, (votes_for, votes_against, votes_abstain))
    item.full_clean()
    item.save(update_fields=["votes_for", "votes_against", "votes_abstain"])
    _audit(actor, "democracy.agenda_vote", item.session.congress, "democracy.congress", item.session.org_path,
           session=item.session.number, title=item.title, votes_for=votes_for, votes_against=votes_against,
           votes_abstain=votes_abstain, adopted=item.adopted)
    return item


# --- 厂务公开 / 校务公开 records -----------------------------------------------------------------------------------

@transaction.atomic
def disclosure_create(*, actor, org, kind: str, disclosed_on: datetime.date, subject: str, summary: str,
                      channel: str, audience: str) -> Disclosure:
    actor.require("democracy.write")
    actor.require_covers(org.path)
    errors = {}
    if kind not in DisclosureKind.values:
        errors["kind"] = _("Choose factory or school affairs.")
    if channel not in DisclosureChannel.values:
        errors["channel"] = _("Choose the channel.")
    if not isinstance(disclosed_on, datetime.date) or disclosed_on.year < 2000:
        errors["disclosed_on"] = _("Enter the day it was disclosed.")
    elif disclosed_on > timezone.localdate():
        errors["disclosed_on"] = _("The day cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    d = Disclosure(org=org, org_path=org.path, kind=kind, disclosed_on=disclosed_on,
                   subject=_text(subject, "subject", _("Enter what was disclosed."), 100),
                   summary=_text(summary, "summary", _("Summarize the content disclosed."), 2000),
                   channel=channel, audience=_text(audience, "audience", _("Enter who it was disclosed to."), 100),
                   entered_by=_user(actor))
    d.full_clean(exclude=["entered_by"])
    d.save(force_insert=True)
    _audit(actor, "democracy.disclosure_create", d, "democracy.disclosure", org.path, kind=kind, channel=channel,
           disclosed_on=disclosed_on)
    return d
