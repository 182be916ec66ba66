"""The household file: create, update, apply, review (审核) and the start of the public notice (公示)."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import identity
from gonghui.core.workdays import add_workdays

from ..models import Category, Cause, EventKind, Household, HouseholdMember, HouseholdState, Relationship
from .category import _apply_assessment, assess_household
from .common import EDITABLE, MAX_MEMBERS, NOTICE_KIND, _audit, _event, _locked, mask_name, money, today
from .standards import settings_for


@dataclass
class MemberInput:
    name: str
    relationship: str
    monthly_income: object
    note: str = ""


def _clean_causes(causes) -> str:
    causes = [c for c in (causes or []) if c]
    bad = [c for c in causes if c not in Cause.values]
    if bad or not causes:
        raise ValidationError({"causes": _("Choose at least one cause of hardship.")})
    return "," + ",".join(c for c in Cause.values if c in causes) + ","


def _clean_members(members: list[MemberInput], worker_name: str, worker_income) -> list[tuple[str, str, str, str]]:
    rows = [(worker_name, Relationship.SELF, str(money(worker_income, "worker_income")), "")]
    for i, m in enumerate(members, start=1):
        name = (m.name or "").strip()
        if not name and m.monthly_income in (None, "") and not m.relationship:
            continue
        if not name:
            raise ValidationError({"members": _("Member %(n)s: give the name.") % {"n": i}})
        if len(name) > 50:
            raise ValidationError({"members": _("Member %(n)s: the name is too long.") % {"n": i}})
        if m.relationship not in Relationship.values or m.relationship == Relationship.SELF:
            raise ValidationError({"members": _("Member %(n)s: choose the relationship to the worker.") % {"n": i}})
        try:
            income = money(m.monthly_income, "members")
        except ValidationError:
            raise ValidationError({"members": _("Member %(n)s: the monthly income is not a valid amount.")
                                   % {"n": i}}) from None
        rows.append((name, m.relationship, str(income), (m.note or "").strip()[:500]))
    if len(rows) > MAX_MEMBERS:
        raise ValidationError({"members": _("A household has at most %(n)s members.") % {"n": MAX_MEMBERS}})
    return rows


def _worker(*, actor, name: str, id_number: str):
    """The ID number checked (GB 11643), and the registry person with that number inside the actor's subtree."""
    from gonghui.core import crypto
    from gonghui.members.models import Membership, MembershipStatus

    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the worker's name.")})
    if len(name) > 50:
        raise ValidationError({"name": _("The name is too long.")})
    try:
        number = identity.parse_resident_id(id_number).number
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    bidx = crypto.blind_index(number, kind="id_number")
    ms = (Membership.objects.filter(person__id_number_bidx=bidx, status=MembershipStatus.ACTIVE,
                                    org_path__startswith=actor.org.path).select_related("person").first())
    return name, number, (ms.person if ms else None)


def _fill(household: Household, *, causes, cause_note, illness_cost, disability_cost, schooling_cost,
          accident_loss, compensation) -> None:
    household.causes = _clean_causes(causes)
    household.cause_note = (cause_note or "").strip()[:2000]
    household.illness_cost = str(money(illness_cost, "illness_cost"))
    household.disability_cost = str(money(disability_cost, "disability_cost"))
    household.schooling_cost = str(money(schooling_cost, "schooling_cost"))
    household.accident_loss = str(money(accident_loss, "accident_loss"))
    household.compensation = str(money(compensation, "compensation"))


def _open_clash(exc: IntegrityError) -> ValidationError:
    if "aid_household_one_open" in str(exc) or "id_number_bidx" in str(exc):
        return ValidationError({"id_number": _("This worker already has an open hardship file.")})
    raise exc


@transaction.atomic
def household_create(*, actor, org, name: str, id_number: str, worker_income, causes, cause_note: str = "",
                     illness_cost=0, disability_cost=0, schooling_cost=0, accident_loss=0, compensation=0,
                     members: list[MemberInput] = ()) -> Household:
    """A draft file for a worker of ``org`` (a unit of the actor's subtree), with the household's members."""
    actor.require("aid.write")
    actor.require_covers(org.path)
    name, number, person = _worker(actor=actor, name=name, id_number=id_number)
    rows = _clean_members(list(members), name, worker_income)
    household = Household(org=org, org_path=org.path, person=person, name=name, name_masked=mask_name(name),
                          id_number=number, created_by=actor.user)
    _fill(household, causes=causes, cause_note=cause_note, illness_cost=illness_cost,
          disability_cost=disability_cost, schooling_cost=schooling_cost, accident_loss=accident_loss,
          compensation=compensation)
    household.full_clean(exclude=["id_number_bidx", "publication", "consent", "person"])
    try:
        with transaction.atomic():
            household.save()
    except IntegrityError as exc:
        raise _open_clash(exc) from None
    HouseholdMember.objects.bulk_create([HouseholdMember(household=household, name=n, relationship=r,
                                                         monthly_income=i, note=t) for n, r, i, t in rows])
    fields = _apply_assessment(household, assess_household(household))
    household.save(update_fields=fields)
    _event(household, EventKind.CREATED, actor=actor)
    _audit(actor, "aid.household_create", household, unit=org.name, members=len(rows),
           registry=person is not None)
    return household


@transaction.atomic
def household_update(*, actor, household: Household, worker_income, causes, cause_note: str = "",
                     illness_cost=0, disability_cost=0, schooling_cost=0, accident_loss=0, compensation=0,
                     members: list[MemberInput] = ()) -> Household:
    """Change a draft or returned file: causes, costs and the members (replaced as given)."""
    actor.require("aid.write")
    actor.require_covers(household.org_path)
    household = _locked(household)
    if household.state not in EDITABLE:
        raise ValidationError(_("Only a draft or a returned file can be changed."))
    rows = _clean_members(list(members), household.name, worker_income)
    _fill(household, causes=causes, cause_note=cause_note, illness_cost=illness_cost,
          disability_cost=disability_cost, schooling_cost=schooling_cost, accident_loss=accident_loss,
          compensation=compensation)
    household.members.all().delete()
    HouseholdMember.objects.bulk_create([HouseholdMember(household=household, name=n, relationship=r,
                                                         monthly_income=i, note=t) for n, r, i, t in rows])
    fields = _apply_assessment(household, assess_household(household))
    household.save(update_fields=[*fields, "causes", "cause_note", "illness_cost", "disability_cost",
                                  "schooling_cost", "accident_loss", "compensation", "updated_at"])
    _event(household, EventKind.CHANGED, actor=actor)
    _audit(actor, "aid.household_update", household, members=len(rows))
    return household


def evidence_count(household: Household) -> int:
    from gonghui.core.models import Attachment

    return Attachment.objects.filter(owner_kind="aid.household", owner_id=str(household.pk)).count()


@transaction.atomic
def household_apply(*, actor, household: Household) -> Household:
    """The grassroots union applies: the file goes to the township or county for review (审核)."""
    actor.require("aid.write")
    actor.require_covers(household.org_path)
    household = _locked(household)
    if household.state not in EDITABLE:
        raise ValidationError(_("Only a draft or a returned file can be applied for."))
    a = assess_household(household)
    if a.standard is None:
        raise ValidationError(_("There is no 低保 standard for this unit in %(year)s: it must be set on the "
                                "standards page first.") % {"year": a.year})
    if a.category == Category.NONE:
        raise ValidationError(_("By the rule the household is not in hardship: it cannot be applied for."))
    if evidence_count(household) == 0:
        raise ValidationError(_("Attach at least one evidence file (income proof, diagnosis, certificate) first."))
    fields = _apply_assessment(household, a)
    household.state, household.applied_at, household.applied_by = HouseholdState.APPLIED, timezone.now(), actor.user
    household.return_reason = ""
    household.save(update_fields=[*fields, "state", "applied_at", "applied_by", "return_reason", "updated_at"])
    _event(household, EventKind.APPLIED, actor=actor)
    _audit(actor, "aid.household_apply", household, category=household.category)
    return household


def _may_review(actor, household: Household) -> None:
    """Review (审核) is for a federation above the unit (township, county or up), never the unit itself."""
    actor.require("aid.review")
    actor.require_covers(household.org_path)
    if actor.org.path == household.org_path:
        raise PermissionDenied("aid.review")


def _notice_rows(household: Household) -> list[dict]:
    return [{_("Name"): household.name_masked, _("Unit"): household.org.name,
             _("Category"): household.get_category_display()}]


@transaction.atomic
def household_review(*, actor, household: Household, approve: bool, reason: str = "",
                     reject: bool = False) -> Household:
    """Approve (the public notice starts at the unit), return to the union with a reason, or refuse the file."""
    _may_review(actor, household)
    household = _locked(household)
    if household.state != HouseholdState.APPLIED:
        raise ValidationError(_("Only an applied file can be reviewed."))
    reason = (reason or "").strip()
    household.reviewed_at, household.reviewed_by = timezone.now(), actor.user
    if not approve:
        if not reason:
            raise ValidationError({"reason": _("Give the reason for returning the file.")})
        household.state = HouseholdState.REJECTED if reject else HouseholdState.RETURNED
        household.return_reason = reason[:300]
        household.save(update_fields=["state", "return_reason", "reviewed_at", "reviewed_by", "updated_at"])
        _event(household, EventKind.REJECTED if reject else EventKind.RETURNED, actor=actor, note=reason)
        _audit(actor, "aid.household_reject" if reject else "aid.household_return", household, reason=reason)
        return household
    fields = _apply_assessment(household, assess_household(household))
    if household.category == Category.NONE:
        raise ValidationError(_("By the rule the household is not in hardship: return the file instead."))
    _start_notice(actor, household)
    household.save(update_fields=[*fields, "state", "notice_from", "notice_until", "publication", "reviewed_at",
                                  "reviewed_by", "open_objections", "updated_at"])
    _event(household, EventKind.NOTICE, actor=actor,
           note=_("Until %(until)s") % {"until": household.notice_until.isoformat()})
    _audit(actor, "aid.household_approve", household, category=household.category,
           notice_until=household.notice_until.isoformat())
    return household


def _start_notice(actor, household: Household) -> None:
    from gonghui.portal.publications import publication_publish

    days = settings_for(household.org).notice_days
    start = today()
    until = add_workdays(start, days)
    tz = timezone.get_current_timezone()
    end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    pub = publication_publish(
        actor=actor, kind=NOTICE_KIND, object_id=household.pk, org=household.org,
        title=_("Public notice: hardship file of %(name)s") % {"name": household.name_masked},
        summary=_("Objections may be raised until %(until)s.") % {"until": until.isoformat()},
        rows=_notice_rows(household), until=end)
    household.state = HouseholdState.NOTICE
    household.notice_from, household.notice_until = start, datetime.date(until.year, until.month, until.day)
    household.publication = pub
    household.open_objections = 0
