"""Online joining (在线入会): a worker applies on the public page, the union approves or rejects.

The public side never learns where a person is a member: an applicant who is already an active member
anywhere is told to ask for a transfer, without the union being named. Decisions reach the applicant
through ``gonghui.core.notify`` once they are committed.
"""

import datetime
import hmac
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, identity, notify
from gonghui.core.access import Actor
from gonghui.orgs.models import Level, Org, Status

from . import services
from .models import ApplicationStatus, Consent, EmploymentForm, JoinApplication, MembershipStatus

JOIN_NOTICE_VERSION = "2026-11"
CONSENT_PURPOSE = "join"
# No 0/O, 1/I: the code is read off a phone screen and typed again.
CODE_CHARS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10
PUBLIC = Actor(user=None, grant=None, label="public")

PERSON_KEYS = ("doc_type", "id_number", "name", "sex", "birth_date", "ethnicity", "phone", "education",
               "political_status")
WORK_KEYS = ("job_title", "employment_form", "is_migrant_worker", "is_new_employment", "is_dispatched")


def new_code() -> str:
    return "".join(secrets.choice(CODE_CHARS) for _ in range(CODE_LENGTH))


def normalize_code(raw: object) -> str:
    return identity.clean_token(raw)[:CODE_LENGTH + 2]


def _work_values(data: dict) -> dict:
    out = {
        "job_title": (data.get("job_title") or "").strip(),
        "employment_form": data.get("employment_form") or "",
        "is_migrant_worker": bool(data.get("is_migrant_worker")),
        "is_new_employment": bool(data.get("is_new_employment")),
        "is_dispatched": bool(data.get("is_dispatched")),
    }
    if len(out["job_title"]) > 50:
        raise ValidationError({"job_title": _("The job title is longer than 50 characters.")})
    if out["employment_form"] and out["employment_form"] not in EmploymentForm.values:
        raise ValidationError({"employment_form": _("Not one of the listed choices.")})
    if out["employment_form"] == EmploymentForm.DISPATCHED:
        out["is_dispatched"] = True
    if out["employment_form"] == EmploymentForm.PLATFORM:
        out["is_new_employment"] = True
    return out


def _is_active_member(doc_type: str, id_number: str) -> bool:
    person = services.person_find(doc_type=doc_type, id_number=id_number)
    return person is not None and person.memberships.filter(status=MembershipStatus.ACTIVE).exists()


@transaction.atomic
def application_submit(*, union: Org, data: dict, consent_version: str, ip: str | None) -> JoinApplication:
    """File an application from the public page. ``consent_version`` is the notice version the worker
    consented to; it must be the current one (a notice that changed meanwhile is shown again)."""
    if not consent_version:
        raise ValidationError({"consent_sensitive": ValidationError(
            _("Without your consent to the processing of your ID number the union cannot handle your application."),
            code="consent_required")})
    if consent_version != JOIN_NOTICE_VERSION:
        raise ValidationError({"consent_sensitive": ValidationError(
            _("The personal-data notice has changed; please read it again and confirm your consent."),
            code="notice_changed")})
    services.check_member_unit(union)
    fields = {k: data.get(k) or "" for k in PERSON_KEYS}
    fields["doc_type"] = fields["doc_type"] or identity.DocumentType.RESIDENT_ID
    fields["birth_date"] = fields["birth_date"] or None
    person = services.person_clean(**fields, phone_required=True)
    work = _work_values(data)
    if _is_active_member(person["doc_type"], person["id_number"]):
        # Deliberately silent about where: the page is public and anyone may type any ID number.
        raise ValidationError(_("You are already an active union member. To move to this union, ask your union "
                                "or this one for a transfer of your membership instead of applying."),
                              code="already_member")
    bidx = services.id_index(person["doc_type"], person["id_number"])
    pending = JoinApplication.objects.filter(union=union, id_number_bidx=bidx, status=ApplicationStatus.PENDING)
    pending_error = ValidationError(_("You already have an application to this union waiting for a decision. "
                                      "Check it on the status page with your application code."),
                                    code="pending_exists")
    if pending.exists():
        raise pending_error
    consent = Consent.objects.create(purpose=CONSENT_PURPOSE, notice_version=consent_version, ip=ip or None)
    code = new_code()
    while JoinApplication.objects.filter(code=code).exists():
        code = new_code()
    application = JoinApplication(code=code, union=union, org_path=union.path, consent=consent,
                                  id_number_bidx=bidx, phone_last4=person["phone"][-4:],
                                  **{k: person[k] for k in PERSON_KEYS}, **work)
    application.full_clean(exclude=["id_number_bidx", "phone_bidx"], validate_constraints=False)
    try:
        with transaction.atomic():
            application.save(force_insert=True)
    except IntegrityError:  # a concurrent submission won the one-pending-application constraint
        raise pending_error from None
    audit.record(actor=PUBLIC, action="member.application.submit", object_type="join_application",
                 object_id=code, scope_path=union.path,
                 details={"union": union.code, "notice_version": consent_version})
    return application


def _lock_pending(actor, application: JoinApplication) -> JoinApplication:
    actor.require("member.write")
    actor.require_covers(application.org_path)
    application = (JoinApplication.objects.select_for_update().select_related("union")
                   .get(pk=application.pk))
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError(_("This application has already been decided."), code="decided")
    return application


def _decided(actor, application: JoinApplication, status: str) -> None:
    application.status = status
    application.decided_at = timezone.now()
    user = actor.user
    application.decided_by = user if user is not None and user.is_authenticated else None


@transaction.atomic
def application_approve(*, actor, application: JoinApplication,
                        joined_on: datetime.date | None = None) -> JoinApplication:
    """Create the membership (source "online") and tell the applicant."""
    application = _lock_pending(actor, application)
    union = application.union
    person = {k: getattr(application, k) for k in PERSON_KEYS}
    work = {k: getattr(application, k) for k in WORK_KEYS}
    try:
        membership = services.member_add(actor=actor, union=union, person=person,
                                         joined_on=joined_on or timezone.localdate(), source="online", **work)
    except services.ActiveElsewhere as exc:
        where = exc.membership.union.name if actor.covers(exc.membership.org_path) else _("another union")
        raise ValidationError(_("The applicant has meanwhile become an active member of %(where)s. Reject this "
                                "application and arrange a transfer instead.") % {"where": where},
                              code="already_member") from None
    except ValidationError as exc:
        if getattr(exc, "code", None) == "already_member":
            raise ValidationError(_("The applicant is already an active member of this union. Reject this "
                                    "application as a duplicate."), code="already_member") from None
        raise
    _decided(actor, application, ApplicationStatus.APPROVED)
    application.membership = membership
    application.save(update_fields=["status", "decided_at", "decided_by", "membership"])
    audit.record(actor=actor, action="member.application.approve", object_type="join_application",
                 object_id=application.code, scope_path=application.org_path,
                 details={"union": union.code, "person": membership.person.uid})
    notify.send_on_commit(to_phone=application.phone, template="join.approved",
                          context={"code": application.code, "union": union.name})
    return application


@transaction.atomic
def application_reject(*, actor, application: JoinApplication, reason: str) -> JoinApplication:
    """Reject with a reason the applicant is shown (on the status page and in the notification)."""
    reason = re.sub(r"\s+", " ", reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(
            _("Give the reason for rejecting; the applicant is shown it."), code="reason_required")})
    if len(reason) > 200:
        raise ValidationError({"reason": ValidationError(_("The reason is longer than 200 characters."),
                                                         code="reason_long")})
    application = _lock_pending(actor, application)
    _decided(actor, application, ApplicationStatus.REJECTED)
    application.reject_reason = reason
    application.save(update_fields=["status", "decided_at", "decided_by", "reject_reason"])
    # The reason stays on the application; free text may name people, so it is not copied into the trail.
    audit.record(actor=actor, action="member.application.reject", object_type="join_application",
                 object_id=application.code, scope_path=application.org_path,
                 details={"union": application.union.code})
    notify.send_on_commit(to_phone=application.phone, template="join.rejected",
                          context={"code": application.code, "union": application.union.name, "reason": reason})
    return application


def application_status(*, code: str, phone_last4: str) -> JoinApplication | None:
    """The application with this code whose phone ends in these digits; None otherwise (one answer for an
    unknown code and for wrong digits)."""
    code = normalize_code(code)
    digits = re.sub(r"\D", "", identity.to_halfwidth(str(phone_last4 or "")))
    if len(code) != CODE_LENGTH or len(digits) != 4:
        return None
    application = JoinApplication.objects.select_related("union").filter(code=code).first()
    expected = application.phone_last4 if application is not None else "----"
    if not hmac.compare_digest(expected.encode(), digits.encode()) or application is None:
        return None
    return application


# Reads for the union's back office, always inside the actor's subtree.

def application_scope(*, actor) -> QuerySet[JoinApplication]:
    if actor.org is None or not actor.can("member.view"):
        return JoinApplication.objects.none()
    return JoinApplication.objects.filter(org_path__startswith=actor.org.path)


def application_list(*, actor, filters: dict | None = None) -> QuerySet[JoinApplication]:
    filters = filters or {}
    qs = application_scope(actor=actor).select_related("union")
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if under := filters.get("under"):
        qs = qs.filter(org_path__startswith=under.path)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(code=normalize_code(q)))
    return qs


def application_get(*, actor, code: str) -> JoinApplication:
    application = (application_scope(actor=actor).select_related("union", "consent", "decided_by", "membership")
                   .filter(code=normalize_code(code)).first())
    if application is None:
        raise Http404
    return application


def public_union_get(*, code: str) -> Org:
    """A union that takes members online: active, grassroots or branch. Else 404."""
    code = (code or "").strip()
    qs = Org.objects.filter(status=Status.ACTIVE, level__in=services.MEMBER_UNIT_LEVELS)
    union = qs.filter(code=code).first() or qs.filter(code=code.upper()).first()
    if union is None:
        raise Http404
    return union


def public_union_search(*, q: str, limit: int = 20) -> list[dict]:
    """Names (and the code that forms the joining link) of unions taking members, for the public picker.
    A branch is shown with its grassroots union's name so two "一车间分会" can be told apart."""
    q = (q or "").strip()
    if len(q) < 2:
        return []
    rows = list(Org.objects.filter(status=Status.ACTIVE, level__in=services.MEMBER_UNIT_LEVELS, name__icontains=q)
                .order_by("name", "path").values("code", "name", "path", "level")[:limit])
    parent_paths = {r["path"][:-Org.steplen] for r in rows if r["level"] == Level.BRANCH}
    parents = dict(Org.objects.filter(path__in=parent_paths).values_list("path", "name"))
    out = []
    for r in rows:
        parent = parents.get(r["path"][:-Org.steplen]) if r["level"] == Level.BRANCH else None
        out.append({"code": r["code"], "name": f"{parent} · {r['name']}" if parent else r["name"]})
    return out
