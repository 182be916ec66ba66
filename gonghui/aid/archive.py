"""The hardship archive's services (困难职工建档): 低保 standards and thresholds, the household file and its category,
the workflow application → review (审核) → public notice (公示, objections hold it) → filed (建档, by the daily
tick), the annual review (动态管理), exit (解困), 一帮一 pairs and their visits, and the 特困职工优待证.

The category rule (shown on the household page):
per-capita income = (the members' monthly incomes − the monthly rigid costs of illness, disability and schooling)
÷ the number of members; 深度困难 below ``deep_ratio`` × 低保, 相对困难 below ``relative_ratio`` × 低保, 意外致困 when
it is not below those but the loss from an accident or disaster not covered by compensation, insurance and aid,
spread over 12 months, brings it below ``relative_ratio`` × 低保; otherwise not eligible. "Below" is strict:
exactly 1× 低保 is 相对困难, exactly 2× is not eligible.

Every write is one transaction with one audit event and a line on the household's timeline; the timeline and the
audit details never carry income or illness.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, identity
from gonghui.core.workdays import add_workdays
from gonghui.orgs.models import Org

from . import stats
from .models import (
    AnnualReview,
    ArchiveSettings,
    CardState,
    Category,
    Cause,
    EventKind,
    HardshipCard,
    Household,
    HouseholdEvent,
    HouseholdMember,
    HouseholdState,
    LivingStandard,
    Objection,
    ObjectionState,
    Pairing,
    PairVisit,
    Relationship,
)

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("10000000")
MAX_MEMBERS = 20
NOTICE_KIND = "aid.notice"
EDITABLE = (HouseholdState.DRAFT, HouseholdState.RETURNED)


# --- helpers -------------------------------------------------------------------------------------------------

def today() -> datetime.date:
    return timezone.localdate()


def mask_name(name: str) -> str:
    """张三丰 → 张*丰, 张三 → 张*, 欧阳小明 → 欧**明: the public notice never shows a full name."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def money(value, field: str, *, label: str = "") -> Decimal:
    """A non-negative amount in yuan with at most 2 decimals (blank is 0)."""
    if value in (None, ""):
        return Decimal("0.00")
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError({field: _("Type an amount in yuan, e.g. 1200.50.")}) from None
    if not d.is_finite() or d < 0:
        raise ValidationError({field: _("An amount cannot be negative.")})
    if d >= MAX_AMOUNT:
        raise ValidationError({field: _("The amount is too large.")})
    if d != d.quantize(CENT):
        raise ValidationError({field: _("An amount has at most 2 decimals.")})
    return d.quantize(CENT)


def amount_of(text: str) -> Decimal:
    """A stored (decrypted) amount, 0 when empty."""
    return Decimal(text).quantize(CENT) if text else Decimal("0.00")


def _event(household: Household, kind: str, *, actor, note: str = "") -> None:
    HouseholdEvent.objects.create(household=household, kind=kind, note=note[:300],
                                  by=actor.user if getattr(actor, "user", None) is not None else None)


def _audit(actor, action: str, household: Household, **details) -> None:
    audit.record(actor=actor, action=action, object_type="aid.household", object_id=household.pk,
                 scope_path=household.org_path, details={"name": household.name_masked, **details})


def _locked(household: Household) -> Household:
    return Household.objects.select_for_update().get(pk=household.pk)


# --- settings and standards ----------------------------------------------------------------------------------

def _ancestor_paths(path: str) -> list[str]:
    step = Org.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def settings_for(org) -> ArchiveSettings:
    """The thresholds for a unit: the nearest federation above it that set them, else the defaults."""
    row = (ArchiveSettings.objects.filter(org__path__in=_ancestor_paths(org.path)).select_related("org")
           .order_by("-org__depth").first())
    return row or ArchiveSettings()


def _region_chain(code: str) -> list[str]:
    """330102 → [330102, 330100, 330000]: a district uses its city's standard, then its province's."""
    if not (code and len(code) == 6 and code.isdigit()):
        return []
    return list(dict.fromkeys([code, code[:4] + "00", code[:2] + "0000"]))


def standard_for(org, year: int) -> LivingStandard | None:
    """The 低保 standard a unit's households use in ``year``: the nearest org above (or the unit) that has one; else
    the unit's region code (or the nearest ancestor's), widened to its city and province."""
    paths = _ancestor_paths(org.path)
    row = (LivingStandard.objects.filter(org__path__in=paths, year=year).select_related("org")
           .order_by("-org__depth").first())
    if row is not None:
        return row
    codes = [o.region_code for o in Org.objects.filter(path__in=paths).order_by("-depth") if o.region_code]
    for code in codes:
        found = {s.region_code: s for s in LivingStandard.objects.filter(org__isnull=True, year=year,
                                                                         region_code__in=_region_chain(code))}
        for c in _region_chain(code):
            if c in found:
                return found[c]
    return None


@transaction.atomic
def standard_set(*, actor, year: int, monthly, org=None, region_code: str = "") -> LivingStandard:
    """Set (or change) the monthly 低保 of a unit's subtree or of a region code for a year."""
    actor.require("aid.settings")
    monthly = money(monthly, "monthly")
    if monthly <= 0:
        raise ValidationError({"monthly": _("The 低保 amount must be more than 0.")})
    if not (2000 <= int(year) <= 2100):
        raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
    region_code = (region_code or "").strip()
    if (org is None) == (not region_code):
        raise ValidationError({"org": _("Choose a unit or type a region code (one of the two).")})
    if org is not None:
        actor.require_covers(org.path)
        row = LivingStandard.objects.select_for_update().filter(org=org, year=year).first()
    else:
        if not (len(region_code) == 6 and region_code.isdigit()):
            raise ValidationError({"region_code": _("A region code has 6 digits.")})
        row = LivingStandard.objects.select_for_update().filter(org__isnull=True, region_code=region_code,
                                                                  year=year).first()
    before = str(row.monthly) if row else ""
    row = row or LivingStandard(org=org, region_code=region_code, year=year)
    row.monthly, row.updated_at, row.updated_by = monthly, timezone.now(), actor.user
    row.full_clean()
    row.save()
    audit.record(actor=actor, action="aid.standard_set", object_type="aid.standard", object_id=row.pk,
                 scope_path=org.path if org else actor.org.path,
                 details={"where": org.name if org else region_code, "year": year, "before": before,
                          "monthly": str(monthly)})
    return row


@transaction.atomic
def settings_update(*, actor, deep_ratio, relative_ratio, notice_days) -> ArchiveSettings:
    """Set the thresholds of the actor's federation subtree."""
    actor.require("aid.settings")
    try:
        deep, rel = Decimal(str(deep_ratio)), Decimal(str(relative_ratio))
    except InvalidOperation:
        raise ValidationError({"deep_ratio": _("Type a number such as 1 or 1.5.")}) from None
    if not (Decimal("0") < deep <= Decimal("10")):
        raise ValidationError({"deep_ratio": _("The ratio must be more than 0 and at most 10.")})
    if not (deep < rel <= Decimal("10")):
        raise ValidationError({"relative_ratio": _("The 相对困难 ratio must be above the 深度困难 ratio.")})
    try:
        days = int(notice_days)
    except (TypeError, ValueError):
        raise ValidationError({"notice_days": _("Type a whole number of working days.")}) from None
    if not (1 <= days <= 60):
        raise ValidationError({"notice_days": _("The notice lasts 1 to 60 working days.")})
    row = ArchiveSettings.objects.select_for_update().filter(org=actor.org).first() or ArchiveSettings(org=actor.org)
    row.deep_ratio, row.relative_ratio, row.notice_days = deep, rel, days
    row.updated_at, row.updated_by = timezone.now(), actor.user
    row.full_clean()
    row.save()
    audit.record(actor=actor, action="aid.settings_update", object_type="aid.settings", object_id=row.pk,
                 details={"deep_ratio": str(deep), "relative_ratio": str(rel), "notice_days": days})
    return row


# --- the category --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Assessment:
    category: str
    per_capita: Decimal
    members: int
    standard: Decimal | None
    year: int
    deep_line: Decimal | None
    relative_line: Decimal | None
    uncovered_monthly: Decimal


def assess(*, incomes: list[Decimal], illness: Decimal, disability: Decimal, schooling: Decimal,
           accident_loss: Decimal, compensation: Decimal, standard: Decimal | None, deep_ratio: Decimal,
           relative_ratio: Decimal, year: int) -> Assessment:
    """The category by the rule of the module docstring (pure: no database)."""
    n = max(len(incomes), 1)
    per_capita = ((sum(incomes, Decimal(0)) - illness - disability - schooling) / n).quantize(CENT, ROUND_HALF_UP)
    uncovered = max(accident_loss - compensation, Decimal(0))
    uncovered_monthly = (uncovered / 12 / n).quantize(CENT, ROUND_HALF_UP)
    if standard is None:
        return Assessment(Category.NONE, per_capita, n, None, year, None, None, uncovered_monthly)
    deep_line = (standard * deep_ratio).quantize(CENT, ROUND_HALF_UP)
    relative_line = (standard * relative_ratio).quantize(CENT, ROUND_HALF_UP)
    if per_capita < deep_line:
        category = Category.DEEP
    elif per_capita < relative_line:
        category = Category.RELATIVE
    elif uncovered > 0 and per_capita - uncovered_monthly < relative_line:
        category = Category.ACCIDENT
    else:
        category = Category.NONE
    return Assessment(category, per_capita, n, standard, year, deep_line, relative_line, uncovered_monthly)


def assess_household(household: Household, *, year: int | None = None, incomes: list[Decimal] | None = None
                     ) -> Assessment:
    year = year or today().year
    settings = settings_for(household.org)
    std = standard_for(household.org, year)
    if incomes is None:
        incomes = [amount_of(m.monthly_income) for m in household.members.all()]
    return assess(incomes=incomes, illness=amount_of(household.illness_cost),
                  disability=amount_of(household.disability_cost), schooling=amount_of(household.schooling_cost),
                  accident_loss=amount_of(household.accident_loss), compensation=amount_of(household.compensation),
                  standard=std.monthly if std else None, deep_ratio=settings.deep_ratio,
                  relative_ratio=settings.relative_ratio, year=year)


def _apply_assessment(household: Household, a: Assessment) -> list[str]:
    household.category = a.category
    household.per_capita = str(a.per_capita)
    household.standard_year = a.year if a.standard is not None else None
    household.standard_monthly = a.standard
    return ["category", "per_capita", "standard_year", "standard_monthly"]


# --- the file ------------------------------------------------------------------------------------------------

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


# --- objections ----------------------------------------------------------------------------------------------

def _lodge(household: Household, *, text: str, contact: str, actor, public: bool) -> Objection:
    text = (text or "").strip()
    if len(text) < 5:
        raise ValidationError({"text": _("Write at least 5 characters.")})
    contact = (contact or "").strip()
    if contact:
        try:
            contact = identity.normalize_phone(contact)
        except ValidationError:
            raise ValidationError({"contact": _("The phone number is not valid.")}) from None
    household = _locked(household)
    if household.state != HouseholdState.NOTICE:
        raise ValidationError(_("Objections are taken only while the file is under public notice."))
    obj = Objection(household=household, text=text[:2000], contact=contact, public=public,
                    lodged_by=actor.user if getattr(actor, "user", None) is not None else None)
    obj.full_clean()
    obj.save()
    Household.objects.filter(pk=household.pk).update(open_objections=F("open_objections") + 1)
    _event(household, EventKind.OBJECTION, actor=actor, note=_("On the public page") if public else "")
    audit.record(actor=actor, action="aid.objection_lodge", object_type="aid.household", object_id=household.pk,
                 scope_path=household.org_path, details={"name": household.name_masked, "public": public})
    return obj


@transaction.atomic
def objection_lodge(*, actor, household: Household, text: str, contact: str = "") -> Objection:
    """Staff record an objection (received by phone, letter or in person)."""
    actor.require("aid.write")
    actor.require_covers(household.org_path)
    return _lodge(household, text=text, contact=contact, actor=actor, public=False)


@transaction.atomic
def objection_from_board(publication, *, text: str, contact: str = "", ip: str | None = None) -> Objection:
    """A worker's objection sent from the public board (the portal's respond handler of the notice kind)."""
    from gonghui.core.ratelimits import PORTAL

    household = Household.objects.filter(pk=publication.object_id, publication=publication).first()
    if household is None:
        raise ValidationError(_("This notice no longer takes objections."))
    return _lodge(household, text=text, contact=contact, actor=PORTAL, public=True)


@transaction.atomic
def objection_resolve(*, actor, objection: Objection, upheld: bool, resolution: str) -> Objection:
    """Decide an objection. Upheld: the file goes back to the union (notice withdrawn). Dismissed: the hold is
    lifted, and a notice already ended files the household now."""
    _may_review(actor, objection.household)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": _("Say what was found and decided.")})
    obj = Objection.objects.select_for_update().get(pk=objection.pk)
    if obj.state != ObjectionState.OPEN:
        raise ValidationError(_("This objection is already resolved."))
    household = _locked(obj.household)
    obj.state = ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED
    obj.resolution, obj.resolved_at, obj.resolved_by = resolution[:500], timezone.now(), actor.user
    obj.save(update_fields=["state", "resolution", "resolved_at", "resolved_by"])
    household.open_objections = max(household.open_objections - 1, 0)
    fields = ["open_objections", "updated_at"]
    if upheld and household.state == HouseholdState.NOTICE:
        _withdraw_notice(actor, household, _("Objection upheld"))
        household.state, household.return_reason = HouseholdState.RETURNED, resolution[:300]
        fields += ["state", "return_reason"]
    household.save(update_fields=fields)
    _event(household, EventKind.RESOLVED, actor=actor,
           note=_("Upheld: returned to the union") if upheld else _("Dismissed"))
    audit.record(actor=actor, action="aid.objection_resolve", object_type="aid.household", object_id=household.pk,
                 scope_path=household.org_path, details={"name": household.name_masked, "upheld": upheld})
    if not upheld:
        _file_if_due(household, day=today())
    return obj


def _withdraw_notice(actor, household: Household, reason: str) -> None:
    from gonghui.portal.publications import publication_withdraw

    pub = household.publication
    if pub is not None and pub.withdrawn_at is None:
        publication_withdraw(actor=actor, publication=pub, reason=reason)


# --- filing (the daily tick) ---------------------------------------------------------------------------------

def _next_year(d: datetime.date) -> datetime.date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


def _file_if_due(household: Household, *, day: datetime.date) -> bool:
    from gonghui.core.access import SYSTEM

    if (household.state != HouseholdState.NOTICE or household.open_objections > 0
            or household.notice_until is None or household.notice_until >= day):
        return False
    before = stats.household_rows(household)
    household.state, household.filed_on = HouseholdState.FILED, day
    household.review_due = _next_year(day)
    household.save(update_fields=["state", "filed_on", "review_due", "updated_at"])
    stats.household_saved(household, before)
    _event(household, EventKind.FILED, actor=SYSTEM)
    _audit(SYSTEM, "aid.household_file", household, category=household.category)
    return True


def archive_tick(now: datetime.datetime | None = None, *, day: datetime.date | None = None) -> dict:
    """The daily tick: file every household whose notice ended (the day after ``notice_until``) without an open
    objection, and put overdue annual reviews on the parent units' supervision lists."""
    from gonghui.core.access import SYSTEM

    from .supervision_archive import raise_overdue

    day = day or (timezone.localdate(now) if now else today())
    filed = 0
    ids = list(Household.objects.filter(state=HouseholdState.NOTICE, notice_until__lt=day, open_objections=0)
               .values_list("pk", flat=True)[:10000])
    for pk in ids:
        with transaction.atomic():
            household = Household.objects.select_for_update().select_related("org").get(pk=pk)
            filed += _file_if_due(household, day=day)
    escalated = raise_overdue(day=day)
    counts = {"filed": filed, "escalated": escalated}
    audit.record(actor=SYSTEM, action="aid.archive_tick", object_type="aid.household", details=counts)
    return counts


# --- annual review and exit ----------------------------------------------------------------------------------

@transaction.atomic
def household_annual_review(*, actor, household: Household, incomes: dict[int, object], illness_cost=0,
                            disability_cost=0, schooling_cost=0, note: str = "",
                            on: datetime.date | None = None) -> AnnualReview:
    """The yearly review (动态管理): each member's income recorded again, rigid costs too, the category recomputed
    against that year's 低保; the next review is due a year later. A 优待证 follows: extended for a 深度困难
    household, withdrawn otherwise."""
    actor.require("aid.write")
    actor.require_covers(household.org_path)
    household = _locked(household)
    if household.state != HouseholdState.FILED:
        raise ValidationError(_("Only a filed household is reviewed each year."))
    on = on or today()
    if AnnualReview.objects.filter(household=household, year=on.year).exists():
        raise ValidationError(_("This household was already reviewed in %(year)s.") % {"year": on.year})
    members = list(household.members.all())
    for m in members:
        if m.pk not in incomes:
            raise ValidationError({"incomes": _("Give the monthly income of every member.")})
        m.monthly_income = str(money(incomes[m.pk], "incomes"))
    household.illness_cost = str(money(illness_cost, "illness_cost"))
    household.disability_cost = str(money(disability_cost, "disability_cost"))
    household.schooling_cost = str(money(schooling_cost, "schooling_cost"))
    a = assess_household(household, year=on.year, incomes=[amount_of(m.monthly_income) for m in members])
    if a.standard is None:
        raise ValidationError(_("There is no 低保 standard for this unit in %(year)s: it must be set on the "
                                "standards page first.") % {"year": on.year})
    for m in members:
        m.save(update_fields=["monthly_income"])
    before = household.category
    counted = stats.household_rows(household)
    fields = _apply_assessment(household, a)
    household.last_reviewed_on, household.review_due = on, _next_year(on)
    household.save(update_fields=[*fields, "illness_cost", "disability_cost", "schooling_cost", "last_reviewed_on",
                                  "review_due", "updated_at"])
    stats.household_saved(household, counted)
    review = AnnualReview.objects.create(household=household, year=on.year, reviewed_on=on, category_before=before,
                                         category_after=household.category, per_capita=str(a.per_capita),
                                         note=(note or "").strip()[:300], reviewed_by=actor.user)
    for card in HardshipCard.objects.select_for_update().filter(household=household, state=CardState.VALID):
        if household.category == Category.DEEP:
            card.reviewed_on, card.valid_until = on, _next_year(on)
            card.save(update_fields=["reviewed_on", "valid_until"])
        else:
            _card_withdraw(card, on=on, reason=_("No longer 深度困难 at the annual review"))
    from .supervision_archive import resolve

    resolve([household.pk])
    _event(household, EventKind.REVIEWED, actor=actor,
           note=f"{review.year}: {Category(before).label} → {household.get_category_display()}")
    _audit(actor, "aid.household_review_year", household, year=on.year, before=before, after=household.category)
    return review


@transaction.atomic
def household_exit(*, actor, household: Household, reason: str, on: datetime.date | None = None) -> Household:
    """解困: the household leaves the archive; its 优待证 is withdrawn and its 一帮一 pair ended."""
    actor.require("aid.write")
    actor.require_covers(household.org_path)
    household = _locked(household)
    if household.state != HouseholdState.FILED:
        raise ValidationError(_("Only a filed household can exit."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the exit.")})
    on = on or today()
    if household.filed_on and on < household.filed_on:
        raise ValidationError({"on": _("The exit date cannot be before the file was created.")})
    if on > today():
        raise ValidationError({"on": _("The exit date cannot be in the future.")})
    before = stats.household_rows(household)
    household.state, household.exited_on, household.exit_reason = HouseholdState.EXITED, on, reason[:300]
    household.save(update_fields=["state", "exited_on", "exit_reason", "updated_at"])
    stats.household_saved(household, before)
    for card in HardshipCard.objects.select_for_update().filter(household=household, state=CardState.VALID):
        _card_withdraw(card, on=on, reason=_("The household exited the archive"))
    Pairing.objects.filter(household=household, ended_on__isnull=True).update(ended_on=on)
    from .supervision_archive import resolve

    resolve([household.pk])
    _event(household, EventKind.EXITED, actor=actor, note=reason)
    _audit(actor, "aid.household_exit", household, reason=reason, on=on.isoformat())
    return household


# --- 一帮一 --------------------------------------------------------------------------------------------------

@transaction.atomic
def pairing_create(*, actor, household: Household, cadre, started_on: datetime.date | None = None) -> Pairing:
    """Pair a cadre (a staff account of the actor's subtree) with a filed household; an earlier pair ends."""
    from gonghui.core.models import Grant

    actor.require("aid.write")
    actor.require_covers(household.org_path)
    household = _locked(household)
    if household.state != HouseholdState.FILED:
        raise ValidationError(_("Only a filed household is paired with a cadre."))
    if cadre is None or not Grant.objects.filter(user=cadre, org__path__startswith=actor.org.path).exists():
        raise ValidationError({"cadre": _("Choose a cadre of your unit or the units under it.")})
    started_on = started_on or today()
    Pairing.objects.filter(household=household, ended_on__isnull=True).update(ended_on=started_on)
    pairing = Pairing(household=household, cadre=cadre, started_on=started_on)
    pairing.full_clean()
    pairing.save()
    _event(household, EventKind.PAIRED, actor=actor, note=str(cadre.get_full_name() or cadre.username))
    _audit(actor, "aid.pairing_create", household, cadre=cadre.username)
    return pairing


@transaction.atomic
def pair_visit_add(*, actor, pairing: Pairing, visited_on: datetime.date, cash=0, goods: str = "",
                   note: str = "") -> PairVisit:
    """Log a visit of the paired cadre: the date, the cash and goods given."""
    actor.require("aid.write")
    actor.require_covers(pairing.household.org_path)
    if pairing.ended_on is not None:
        raise ValidationError(_("This pair has ended."))
    if visited_on is None:
        raise ValidationError({"visited_on": _("Give the date of the visit.")})
    if visited_on > today() or visited_on < pairing.started_on:
        raise ValidationError({"visited_on": _("The visit date must be between the pairing and today.")})
    cash = money(cash, "cash")
    goods, note = (goods or "").strip()[:200], (note or "").strip()[:300]
    if cash == 0 and not goods:
        raise ValidationError({"goods": _("Say what was given (cash or goods).")})
    visit = PairVisit(pairing=pairing, visited_on=visited_on, cash=cash, goods=goods, note=note,
                      created_by=actor.user)
    visit.full_clean()
    visit.save()
    _event(pairing.household, EventKind.VISIT, actor=actor, note=visited_on.isoformat())
    _audit(actor, "aid.pair_visit", pairing.household, on=visited_on.isoformat(), cash=str(cash), goods=goods)
    return visit


# --- 优待证 --------------------------------------------------------------------------------------------------

@transaction.atomic
def card_issue(*, actor, household: Household, number: str, issued_on: datetime.date | None = None
               ) -> HardshipCard:
    """Issue a 特困职工优待证 to a filed 深度困难 household, valid one year."""
    actor.require("aid.write")
    actor.require_covers(household.org_path)
    household = _locked(household)
    if household.state != HouseholdState.FILED or household.category != Category.DEEP:
        raise ValidationError(_("A 优待证 is issued only to a filed 深度困难 household."))
    number = (number or "").strip().upper()
    if not number or len(number) > 30:
        raise ValidationError({"number": _("Give the card number (up to 30 characters).")})
    if HardshipCard.objects.filter(household=household, state=CardState.VALID).exists():
        raise ValidationError(_("This household already holds a valid card."))
    if HardshipCard.objects.filter(number=number).exists():
        raise ValidationError({"number": _("This card number is already used.")})
    issued_on = issued_on or today()
    card = HardshipCard(household=household, number=number, issued_on=issued_on, valid_until=_next_year(issued_on),
                        issued_by=actor.user)
    card.full_clean()
    card.save()
    _event(household, EventKind.CARD, actor=actor, note=_("Issued %(number)s") % {"number": number})
    _audit(actor, "aid.card_issue", household, number=number)
    return card


def _card_withdraw(card: HardshipCard, *, on: datetime.date, reason: str) -> None:
    card.state, card.withdrawn_on, card.withdraw_reason = CardState.WITHDRAWN, on, reason[:300]
    card.save(update_fields=["state", "withdrawn_on", "withdraw_reason"])
    HouseholdEvent.objects.create(household_id=card.household_id, kind=EventKind.CARD,
                                  note=_("Withdrawn %(number)s") % {"number": card.number})


@transaction.atomic
def card_withdraw(*, actor, card: HardshipCard, reason: str) -> HardshipCard:
    actor.require("aid.write")
    actor.require_covers(card.household.org_path)
    card = HardshipCard.objects.select_for_update().select_related("household").get(pk=card.pk)
    if card.state != CardState.VALID:
        raise ValidationError(_("This card is already withdrawn."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for withdrawing the card.")})
    _card_withdraw(card, on=today(), reason=reason)
    _audit(actor, "aid.card_withdraw", card.household, number=card.number, reason=reason)
    return card
