"""Writes to the member registry. Each is one transaction with an audit event; personal data is never
written into the audit details."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.core import audit, crypto, identity
from gonghui.orgs.models import Level, Org, Status

from .models import Education, EmploymentForm, Membership, MembershipStatus, Person, PoliticalStatus, Sex

MEMBER_UNIT_LEVELS = (Level.GRASSROOTS, Level.BRANCH)
PERSON_FIELDS = ("doc_type", "id_number", "name", "sex", "birth_date", "ethnicity", "phone", "education",
                 "political_status")
_DOC_TYPES = frozenset(identity.DocumentType.values)
_CHOICE_VALUES = {"education": frozenset(Education.values), "political_status": frozenset(PoliticalStatus.values)}
MEMBERSHIP_FIELDS = ("joined_on", "is_migrant_worker", "is_new_employment", "is_dispatched", "job_title",
                     "employment_form")


def person_clean(*, doc_type: str = identity.DocumentType.RESIDENT_ID, id_number: str, name: str, sex: str = "",
                 birth_date: datetime.date | None = None, phone: str = "", ethnicity: str = "", education: str = "",
                 political_status: str = "", phone_required: bool = False) -> dict:
    """Normalize a person's fields. For a resident ID, sex and birth date come from the number and must agree
    with what was typed. Raises one ValidationError naming every bad field."""
    errors: dict[str, list] = {}
    out = {"doc_type": doc_type, "name": (name or "").strip(), "ethnicity": (ethnicity or "").strip(),
           "education": education or "", "political_status": political_status or "", "sex": sex or "",
           "birth_date": birth_date, "phone": ""}
    if doc_type not in _DOC_TYPES:
        errors["doc_type"] = [_("Unknown document type.")]
    else:
        try:
            if doc_type == identity.DocumentType.RESIDENT_ID:
                parsed = identity.parse_resident_id(id_number)
                out["id_number"] = parsed.number
                if sex and sex != parsed.sex:
                    errors["sex"] = [_("The sex does not match the ID number (which says %(sex)s).") % {
                        "sex": Sex(parsed.sex).label}]
                if birth_date and birth_date != parsed.birth_date:
                    errors["birth_date"] = [_("The birth date does not match the ID number (which says %(d)s).") % {
                        "d": parsed.birth_date.isoformat()}]
                out["sex"], out["birth_date"] = parsed.sex, parsed.birth_date
            else:
                out["id_number"] = identity.normalize_document(doc_type, id_number)
                if out["sex"] not in Sex.values:
                    errors["sex"] = [_("Choose the sex.")]
        except ValidationError as exc:
            errors["id_number"] = exc.messages
    if not out["name"]:
        errors["name"] = [_("The name is required.")]
    elif len(out["name"]) > 50:
        errors["name"] = [_("The name is longer than 50 characters.")]
    if phone:
        try:
            out["phone"] = identity.normalize_mobile(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    elif phone_required:
        errors["phone"] = [_("The mobile number is required.")]
    for field, values in _CHOICE_VALUES.items():
        if out[field] and out[field] not in values:
            errors[field] = [_("Not one of the listed choices.")]
    if errors:
        raise ValidationError(errors)
    return out


def id_index(doc_type: str, number: str) -> str:
    return crypto.blind_index(number, kind="id_number")


def person_find(*, doc_type: str, id_number: str) -> Person | None:
    """The person holding this (already normalized) document, found through the blind index."""
    return Person.objects.filter(doc_type=doc_type, id_number_bidx=id_index(doc_type, id_number)).first()


def check_member_unit(union: Org) -> None:
    if union.status != Status.ACTIVE:
        raise ValidationError({"union": _("%(name)s is dissolved and takes no members.") % {"name": union.name}})
    if union.level not in MEMBER_UNIT_LEVELS:
        raise ValidationError({"union": _("Members join a grassroots union or a branch, not a %(level)s.") % {
            "level": Level(union.level).label}})


class ActiveElsewhere(ValidationError):
    """The person is an active member of another union: a transfer, not a new membership."""

    def __init__(self, membership: Membership):
        super().__init__(_("This person is already an active member of another union; ask for a transfer."),
                         code="active_elsewhere")
        self.membership = membership


def check_joined_on(joined_on: datetime.date) -> None:
    if joined_on > datetime.date.today():
        raise ValidationError({"joined_on": _("The joining date cannot be in the future.")})
    if joined_on.year < 1925:
        raise ValidationError({"joined_on": _("The joining date is not plausible.")})


def membership_values(fields: dict) -> dict:
    out = {k: fields[k] for k in MEMBERSHIP_FIELDS if k in fields}
    if "job_title" in out:
        out["job_title"] = (out["job_title"] or "").strip()
    if out.get("employment_form") and out["employment_form"] not in EmploymentForm.values:
        raise ValidationError({"employment_form": _("Not one of the listed choices.")})
    if out.get("employment_form") == EmploymentForm.DISPATCHED:
        out["is_dispatched"] = True
    if out.get("employment_form") == EmploymentForm.PLATFORM:
        out["is_new_employment"] = True
    return out


def _save_person(data: dict) -> Person:
    """Create the person, or refresh the one holding the document. Locks the row against concurrent adds."""
    person = (Person.objects.select_for_update()
              .filter(doc_type=data["doc_type"], id_number_bidx=id_index(data["doc_type"], data["id_number"])).first())
    if person is None:
        person = Person(**{k: data[k] for k in PERSON_FIELDS})
        person.full_clean(exclude=["id_number_bidx", "phone_bidx", "uid"])
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            raise ValidationError(_("This person was just added by someone else; try again.")) from None
        return person
    changed = [k for k in PERSON_FIELDS if k not in ("doc_type", "id_number") and data[k] not in ("", None)
               and getattr(person, k) != data[k]]
    for k in changed:
        setattr(person, k, data[k])
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    return person


@transaction.atomic
def member_add(*, actor, union: Org, person: dict, joined_on: datetime.date, source: str = "manual",
               **membership_fields) -> Membership:
    """Enrol a person in a union. The person record is shared federation-wide; one active membership each."""
    actor.require("member.write")
    actor.require_covers(union.path)
    check_member_unit(union)
    data = person_clean(**person)
    check_joined_on(joined_on)
    values = membership_values(membership_fields)
    p = _save_person(data)
    active = p.memberships.filter(status=MembershipStatus.ACTIVE).select_related("union").first()
    if active is not None:
        if active.union_id == union.pk:
            raise ValidationError(_("This person is already an active member of this union."), code="already_member")
        raise ActiveElsewhere(active)
    membership = Membership(person=p, union=union, org_path=union.path, joined_on=joined_on, source=source,
                            is_female=p.sex == Sex.FEMALE, **values)
    membership.full_clean(exclude=["person", "union"])
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:  # a concurrent add won the one-active-membership constraint
        raise ValidationError(_("This person is already an active member of a union."),
                              code="already_member") from None
    audit.record(actor=actor, action="member.add", object_type="person", object_id=p.uid, scope_path=union.path,
                 details={"union": union.code, "source": source})
    return membership


@transaction.atomic
def member_update(*, actor, membership: Membership, person: dict | None = None, **membership_fields) -> Membership:
    actor.require("member.write")
    actor.require_covers(membership.org_path)
    membership = Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("Only an active membership can be edited."))
    p = membership.person
    changed: list[str] = []
    if person:
        current = {k: getattr(p, k) for k in PERSON_FIELDS}
        data = person_clean(**{**current, **person})
        person_changed = [k for k in PERSON_FIELDS if data[k] != current[k]]
        if {"doc_type", "id_number"} & set(person_changed):
            other = person_find(doc_type=data["doc_type"], id_number=data["id_number"])
            if other is not None and other.pk != p.pk:
                raise ValidationError({"id_number": _("Another person already holds this document number.")})
        for k in person_changed:
            setattr(p, k, data[k])
        if person_changed:
            p.save(update_fields=[*person_changed, "updated_at"])
        changed += person_changed
    values = membership_values(membership_fields)
    if "joined_on" in values:
        check_joined_on(values["joined_on"])
    m_changed = [k for k, v in values.items() if getattr(membership, k) != v]
    for k in m_changed:
        setattr(membership, k, values[k])
    if membership.is_female != (p.sex == Sex.FEMALE):
        membership.is_female = p.sex == Sex.FEMALE
        m_changed.append("is_female")
    if m_changed:
        membership.full_clean(exclude=["person", "union"])
        membership.save(update_fields=[*m_changed, "updated_at"])
    changed += m_changed
    if changed:
        audit.record(actor=actor, action="member.update", object_type="person", object_id=p.uid,
                     scope_path=membership.org_path, details={"changed": sorted(set(changed))})
    return membership


def _end_dependents(actor, membership: Membership) -> None:
    """A membership that ends takes its card in use and any open transfer request with it."""
    from .cards import cards_cancel_live
    from .models import Transfer, TransferStatus

    cards_cancel_live(actor=actor, membership=membership, reason="left")
    for t in Transfer.objects.select_for_update().filter(
            from_membership=membership, status__in=[TransferStatus.REQUESTED, TransferStatus.RELEASED]):
        t.status, t.note = TransferStatus.CANCELLED, "membership ended"
        t.save(update_fields=["status", "note"])
        audit.record(actor=actor, action="transfer.cancel", object_type="transfer", object_id=t.code,
                     scope_path=t.from_path, details={"side": "origin", "why": "membership ended"})


@transaction.atomic
def member_leave(*, actor, membership: Membership, left_on: datetime.date, reason: str,
                 status: str = MembershipStatus.LEFT) -> Membership:
    actor.require("member.write")
    actor.require_covers(membership.org_path)
    membership = Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
    reason = (reason or "").strip()
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("This membership has already ended."))
    if not reason:
        raise ValidationError({"reason": _("Give the reason for leaving.")})
    if left_on > datetime.date.today():
        raise ValidationError({"left_on": _("The leaving date cannot be in the future.")})
    if left_on < membership.joined_on:
        raise ValidationError({"left_on": _("The leaving date is before the joining date.")})
    membership.status = status
    membership.left_on = left_on
    membership.leave_reason = reason[:200]
    membership.save(update_fields=["status", "left_on", "leave_reason", "updated_at"])
    _end_dependents(actor, membership)
    audit.record(actor=actor, action="member.leave", object_type="person", object_id=membership.person.uid,
                 scope_path=membership.org_path, details={"union": membership.union.code, "status": status,
                                                          "reason": reason[:200]})
    return membership
