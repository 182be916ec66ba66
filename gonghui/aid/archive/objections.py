"""Objections to a public notice, lodged by staff or from the public board, and their resolution (upheld: the
notice is withdrawn)."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, identity

from ..models import EventKind, Household, HouseholdState, Objection, ObjectionState
from .common import _event, _locked, today
from .files import _may_review
from .tick import _file_if_due


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
