"""A worker's rights over their personal information (PIPL arts. 44-47): see what is held, take a copy, ask for
deletion; and the union's decision on a deletion request.

The worker proves who they are with what the public pages already rely on: their full ID number, their full
mobile number and one code they hold (a join application code, a request tracking code or a service card number).
Both numbers must match the record the code names, on every path; a service card opens everything held under both
numbers, a code given for one record (an application, a request) opens that record only. Any mismatch gets one
answer, which never says whether such a person exists.
"""

import datetime
import hmac
import re
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.casework import intake
from gonghui.casework.models import Case, State
from gonghui.core import audit, crypto, identity
from gonghui.core.access import Actor
from gonghui.core.menu import count_badge
from gonghui.core.models import Outcome
from gonghui.members.models import (
    Consent,
    JoinApplication,
    Membership,
    MembershipStatus,
    Person,
    ServiceCard,
    Transfer,
    TransferStatus,
)
from gonghui.orgs.models import Org

from . import anonymise
from .models import ConsentLink, DeletionItem, DeletionRequest, DeletionStatus, ItemKind, ItemOutcome

PRIVACY_NOTICE_VERSION = "2026-11"
PUBLIC = Actor(user=None, grant=None, label="privacy")
CODE_CHARS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


CONSENT_PURPOSES = {"join": gettext_lazy("Applying to join a union"), "request": gettext_lazy("A request for help"),
                    "transfer": gettext_lazy("Moving my membership"),
                    "card": gettext_lazy("Activating my service card"),
                    "privacy": gettext_lazy("Looking at my personal information")}


@dataclass(frozen=True)
class Subject:
    """A worker who proved who they are: keyed hashes of their numbers (never the numbers), and what the code they
    came in with opens. Every record opened matches both hashes; a code the worker was given for one record (a
    request's tracking code, a join application's code) opens that record only, because anyone who knows someone's
    numbers can obtain such a code for themself."""

    id_bidx: str
    phone_bidx: str
    # None: everything held under both numbers (the holder of a service card). Otherwise only these records,
    # as (ItemKind, public reference) pairs, and only these deletion requests (by code).
    items: tuple[tuple[str, str], ...] | None = None
    requests: tuple[str, ...] | None = None

    def as_session(self) -> dict:
        return {"v": 2, "id": self.id_bidx, "phone": self.phone_bidx,
                "items": None if self.items is None else [list(i) for i in self.items],
                "requests": None if self.requests is None else list(self.requests)}

    @classmethod
    def from_session(cls, data) -> "Subject | None":
        if not isinstance(data, dict) or data.get("v") != 2 or not data.get("phone") or not data.get("id"):
            return None
        items, requests = data.get("items"), data.get("requests")
        return cls(id_bidx=str(data["id"]), phone_bidx=str(data["phone"]),
                   items=None if items is None else tuple((str(k), str(r)) for k, r in items),
                   requests=None if requests is None else tuple(str(c) for c in requests))

    def may_see(self, kind: str, ref: str) -> bool:
        """Whether a deletion request's item is this subject's to see (a request may cover more records than the
        code the subject came in with opens)."""
        return self.items is None or (kind, ref) in self.items

    def opens(self, kind: str) -> list[str] | None:
        """The references of this kind the subject may open; None for all held under both numbers."""
        return None if self.items is None else [ref for k, ref in self.items if k == kind]


def _id_value(raw: str) -> str:
    try:
        return intake.id_number_value(raw)
    except ValidationError:
        return ""


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


def _both(record_id_bidx: str, record_phone_bidx: str, id_bidx: str, phone_bidx: str) -> bool:
    # Both compared every time (no short cut that would time which one failed).
    same_id = _same(record_id_bidx, id_bidx)
    same_phone = _same(record_phone_bidx, phone_bidx)
    return same_id and same_phone


def subject_verify(*, id_number: str, phone: str, code: str) -> Subject | None:
    """The worker these three belong together for, or None (the one answer for every mismatch). On every path the
    ID number and the phone must both match the record the code names."""
    id_value = _id_value(id_number)
    try:
        phone_value = identity.normalize_mobile(phone)
    except ValidationError:
        phone_value = ""
    token = identity.clean_token(code)
    digits = re.sub(r"[\s\-]", "", token)
    if not id_value or not phone_value or not token:
        return None
    id_bidx = crypto.blind_index(id_value, kind="id_number")
    phone_bidx = crypto.blind_index(phone_value, kind="phone")
    card = ServiceCard.objects.filter(number=digits[:20]).select_related("membership__person").first()
    if card:
        person = card.membership.person
        if _both(person.id_number_bidx, person.phone_bidx, id_bidx, phone_bidx):
            return Subject(id_bidx, phone_bidx)
    application = JoinApplication.objects.filter(code=token[:12]).select_related("membership__person").first()
    if application and _both(application.id_number_bidx, application.phone_bidx, id_bidx, phone_bidx):
        items = [(ItemKind.APPLICATION, application.code)]
        if application.membership is not None:  # the member record made from this application
            items.append((ItemKind.PERSON, application.membership.person.uid))
        return Subject(id_bidx, phone_bidx, items=tuple(items))
    case = Case.objects.filter(code=token[:12]).only("code", "id_number_bidx", "phone_bidx").first()
    if case and _both(case.id_number_bidx, case.phone_bidx, id_bidx, phone_bidx):
        return Subject(id_bidx, phone_bidx, items=((ItemKind.CASE, case.code),))
    # After an anonymisation the records no longer match: the deletion request still knows the worker. The code
    # opens what it would have opened before: a card, everything its requests covered; any other code, its own
    # record and the requests about it.
    matched = [i for i in DeletionItem.objects.filter(ref__in={token[:20], digits[:20]}).select_related("request")
               if _both(i.request.subject_id_bidx, i.request.subject_phone_bidx, id_bidx, phone_bidx)]
    if matched:
        requests = {i.request for i in matched}
        if any(i.kind == ItemKind.CARD for i in matched):
            items = tuple(dict.fromkeys(DeletionItem.objects.filter(request__in=requests).values_list("kind", "ref")))
        else:
            items = tuple(dict.fromkeys((i.kind, i.ref) for i in matched))
        return Subject(id_bidx, phone_bidx, items=items, requests=tuple(sorted({r.code for r in requests})))
    return None


def subject_sign_in(*, id_number: str, phone: str, code: str, consent_version: str, ip: str | None) -> Subject:
    """Verify the worker and record their consent to the use of the numbers for it; audited either way."""
    if consent_version != PRIVACY_NOTICE_VERSION:
        raise ValidationError({"consent": _("The notice has changed; please read it again and confirm.")})
    subject = subject_verify(id_number=id_number, phone=phone, code=code)
    if subject is None:
        # Never the typed values: only that a look-up failed, and from where.
        audit.record(actor=PUBLIC, action="privacy.access", outcome=Outcome.FAILED, details={})
        raise ValidationError(_("These details do not match our records. Check the three entries, or ask your "
                                "union."), code="mismatch")
    with transaction.atomic():
        consent_record(purpose="privacy", version=consent_version, ip=ip, subject=subject,
                       object_type="privacy_access")
        audit.record(actor=PUBLIC, action="privacy.access",
                     details={"opens": "all" if subject.items is None else len(subject.items)})
    return subject


def consent_record(*, purpose: str, version: str, ip: str | None, subject: Subject | None = None,
                   person: Person | None = None, object_type: str, object_id: str = "",
                   given_at: datetime.datetime | None = None) -> Consent:
    """Store a consent given on a public form, tied to the worker (by person or by the hashes of their numbers)."""
    consent = Consent.objects.create(purpose=purpose, notice_version=version, ip=ip or None,
                                     given_at=given_at or timezone.now())
    ConsentLink.objects.create(
        consent=consent, object_type=object_type, object_id=str(object_id)[:32],
        subject_id_bidx=subject.id_bidx if subject else (person.id_number_bidx if person else ""),
        subject_phone_bidx=subject.phone_bidx if subject else (person.phone_bidx if person else ""))
    return consent


# --- what the system holds about the worker ----------------------------------------------------------------

def _scoped(qs: QuerySet, subject: Subject, kind: str, ref_field: str) -> QuerySet:
    refs = subject.opens(kind)
    return qs if refs is None else qs.filter(**{f"{ref_field}__in": refs})


def _people(subject: Subject) -> QuerySet[Person]:
    qs = Person.objects.filter(id_number_bidx=subject.id_bidx, phone_bidx=subject.phone_bidx)
    return _scoped(qs, subject, ItemKind.PERSON, "uid")


def _applications(subject: Subject) -> QuerySet[JoinApplication]:
    qs = JoinApplication.objects.filter(id_number_bidx=subject.id_bidx, phone_bidx=subject.phone_bidx)
    return _scoped(qs, subject, ItemKind.APPLICATION, "code")


def _cases(subject: Subject) -> QuerySet[Case]:
    # A case filed without an ID number has an empty index, which no typed number hashes to: it is not opened here.
    qs = Case.objects.filter(id_number_bidx=subject.id_bidx, phone_bidx=subject.phone_bidx)
    return _scoped(qs, subject, ItemKind.CASE, "code")


def subject_requests(subject: Subject) -> QuerySet[DeletionRequest]:
    qs = DeletionRequest.objects.filter(subject_id_bidx=subject.id_bidx, subject_phone_bidx=subject.phone_bidx)
    if subject.requests is not None:
        qs = qs.filter(code__in=subject.requests)
    elif subject.items is not None:
        # Only the requests about the records this code opens.
        about = Q(pk__in=[])
        for kind, ref in subject.items:
            about |= Q(items__kind=kind, items__ref=ref)
        qs = qs.filter(pk__in=DeletionRequest.objects.filter(about).values("pk"))
    return qs.select_related("org").prefetch_related("items")


def _consents(subject: Subject, applications, cases) -> list[Consent]:
    ids = {a.consent_id for a in applications} | {c.consent_id for c in cases if c.consent_id}
    if subject.items is None:
        # The holder of a card also sees the consents given on forms without a record of their own.
        links = ConsentLink.objects.filter(subject_id_bidx=subject.id_bidx, subject_phone_bidx=subject.phone_bidx)
        ids |= set(links.values_list("consent_id", flat=True))
    return list(Consent.objects.filter(pk__in=ids).order_by("given_at", "pk"))


def subject_data(subject: Subject) -> dict:
    """Everything held about the worker, in plain values (the page masks the numbers, the download does not)."""
    people = list(_people(subject))
    memberships = list(Membership.objects.filter(person__in=people).select_related("union")
                       .order_by("-joined_on", "-pk"))
    transfers = list(Transfer.objects.filter(person__in=people).select_related("from_union", "to_union")
                     .order_by("-requested_at"))
    cards = list(ServiceCard.objects.filter(membership__person__in=people).order_by("-issued_on", "-pk"))
    applications = list(_applications(subject).select_related("union", "consent").order_by("-submitted_at"))
    cases = list(_cases(subject).select_related("holder_org", "consent").order_by("-received_at"))
    return {
        "people": [{
            "uid": p.uid, "name": p.name, "document_type": p.get_doc_type_display(), "id_number": p.id_number,
            "sex": p.get_sex_display(), "birth_date": p.birth_date, "ethnicity": p.ethnicity, "phone": p.phone,
            "education": p.get_education_display(), "political_status": p.get_political_status_display(),
            "recorded_at": p.created_at} for p in people],
        "memberships": [{
            "union": m.union.name, "joined_on": m.joined_on, "left_on": m.left_on, "status": m.get_status_display(),
            "job_title": m.job_title, "employment_form": m.get_employment_form_display(),
            "migrant_worker": m.is_migrant_worker, "new_employment": m.is_new_employment,
            "agency_worker": m.is_dispatched, "source": m.get_source_display()} for m in memberships],
        "transfers": [{
            "code": t.code, "from": t.from_union.name, "to": t.to_union.name, "status": t.get_status_display(),
            "requested_at": t.requested_at} for t in transfers],
        "cards": [{"number": c.number, "status": c.get_status_display(), "issued_on": c.issued_on,
                   "activated_on": c.activated_on} for c in cards],
        "applications": [{
            "code": a.code, "union": a.union.name, "name": a.name, "id_number": a.id_number, "phone": a.phone,
            "status": a.get_status_display(), "submitted_at": a.submitted_at, "decided_at": a.decided_at,
            "reject_reason": a.reject_reason} for a in applications],
        "cases": [{
            "code": c.code, "unit": c.holder_org.name, "subject": c.subject, "details": c.description,
            "name": c.worker_name, "id_number": c.id_number, "phone": c.phone,
            "workplace": c.workplace, "status": intake.public_status(c)[1],
            "received_on": c.received_on, "closed_on": c.closed_on, "reply": c.reply} for c in cases],
        "consents": [{"purpose": c.purpose, "given_for": str(CONSENT_PURPOSES.get(c.purpose, c.purpose)),
                      "notice_version": c.notice_version, "given_at": c.given_at}
                     for c in _consents(subject, applications, cases)],
        "deletion_requests": [{
            "code": r.code, "unit": r.org.name, "status": r.get_status_display(), "asked_at": r.requested_at,
            "decided_at": r.decided_at, "reason": r.reason,
            "items": [{"kind": i.get_kind_display(), "record": i.ref, "outcome": i.get_outcome_display(),
                       "why_kept": i.why_kept} for i in r.items.all() if subject.may_see(i.kind, i.ref)]}
            for r in subject_requests(subject)],
    }


def subject_export_logged(subject: Subject, fmt: str) -> None:
    audit.record(actor=PUBLIC, action="privacy.export", details={"format": fmt})


# --- deletion requests ----------------------------------------------------------------------------------------

def _new_code() -> str:
    while True:
        code = "D" + "".join(secrets.choice(CODE_CHARS) for _ in range(9))
        if not DeletionRequest.objects.filter(code=code).exists():
            return code


def _holdings(subject: Subject) -> dict[int, list[tuple[str, str]]]:
    """The records held about the worker, by the unit that holds each: {org id: [(kind, ref)]}."""
    out: dict[int, list[tuple[str, str]]] = {}
    for p in _people(subject).exclude(name=anonymise.ANON):
        m = (p.memberships.filter(status=MembershipStatus.ACTIVE).first()
             or p.memberships.order_by("-joined_on", "-pk").first())
        if m is None:
            continue
        out.setdefault(m.union_id, []).append((ItemKind.PERSON, p.uid))
        for card in ServiceCard.objects.filter(membership__person=p):
            out.setdefault(card.membership.union_id, []).append((ItemKind.CARD, card.number))
    for a in _applications(subject).exclude(name=anonymise.ANON):
        out.setdefault(a.union_id, []).append((ItemKind.APPLICATION, a.code))
    for c in _cases(subject).exclude(worker_name=anonymise.ANON):
        out.setdefault(c.holder_org_id, []).append((ItemKind.CASE, c.code))
    return out


@transaction.atomic
def deletion_request_create(*, subject: Subject) -> list[DeletionRequest]:
    """One request per unit holding data about the worker, for the records not already waiting in one."""
    created = []
    for org_id, items in _holdings(subject).items():
        # Records already waiting in a request are not asked for twice. The others go into a request of their own,
        # never into a waiting one: whoever can see that request (through any record it covers) would see them.
        waiting = DeletionItem.objects.filter(
            request__org_id=org_id, request__status=DeletionStatus.PENDING, request__subject_id_bidx=subject.id_bidx,
            request__subject_phone_bidx=subject.phone_bidx).values_list("kind", "ref")
        items = [item for item in dict.fromkeys(items) if item not in set(waiting)]
        if not items:
            continue
        org = Org.objects.get(pk=org_id)
        r = DeletionRequest.objects.create(code=_new_code(), org=org, org_path=org.path,
                                           subject_id_bidx=subject.id_bidx, subject_phone_bidx=subject.phone_bidx)
        DeletionItem.objects.bulk_create([DeletionItem(request=r, kind=k, ref=ref) for k, ref in items])
        audit.record(actor=PUBLIC, action="privacy.deletion.request", object_type="deletion_request",
                     object_id=r.code, scope_path=org.path, details={"items": len(items)})
        created.append(r)
    return created


def request_scope(*, actor) -> QuerySet[DeletionRequest]:
    if actor.org is None or not actor.can("privacy.handle"):
        return DeletionRequest.objects.none()
    return DeletionRequest.objects.filter(org_path__startswith=actor.org.path)


def request_list(*, actor, status: str = "") -> QuerySet[DeletionRequest]:
    qs = request_scope(actor=actor).select_related("org", "decided_by")
    return qs.filter(status=status) if status else qs


def request_get(*, actor, code: str) -> DeletionRequest:
    r = request_scope(actor=actor).select_related("org", "decided_by").filter(code=(code or "").upper()).first()
    if r is None:
        raise Http404
    return r


def _item_object(item: DeletionItem):
    model = {ItemKind.PERSON: (Person, "uid"), ItemKind.APPLICATION: (JoinApplication, "code"),
             ItemKind.CASE: (Case, "code"), ItemKind.CARD: (ServiceCard, "number")}[item.kind]
    return model[0].objects.filter(**{model[1]: item.ref}).first()


def item_assessment(item: DeletionItem) -> tuple[bool, str]:
    """(may be anonymised, why it is kept otherwise): what the law or the work in hand still requires."""
    obj = _item_object(item)
    if obj is None:
        return False, _("The record no longer exists.")
    if item.kind == ItemKind.CARD:
        return False, _("A card number holds no personal data; the member record is decided on its own.")
    if item.kind == ItemKind.PERSON:
        if obj.memberships.filter(status=MembershipStatus.ACTIVE).exists():
            return False, _("The union keeps the register of its members while the membership lasts (Trade Union "
                            "Law, union constitution). Leave the union first, then ask again.")
        if Transfer.objects.filter(person=obj, status__in=[TransferStatus.REQUESTED, TransferStatus.RELEASED]).exists():
            return False, _("A transfer of the membership is still open.")
        return True, ""
    if item.kind == ItemKind.CASE and obj.state != State.CLOSED:
        return False, _("The request is still being handled; ask again once it is closed.")
    return True, ""


_ITEM_PAGES = {ItemKind.PERSON: "members:detail", ItemKind.APPLICATION: "members:application",
               ItemKind.CASE: "casework:detail", ItemKind.CARD: "members:card"}


def request_items(r: DeletionRequest) -> list[dict]:
    """The items with what would happen to each, and the record's page (which answers 404 outside the scope)."""
    from django.urls import reverse

    out = []
    for item in r.items.all().order_by("kind", "ref"):
        allowed, why = item_assessment(item) if r.status == DeletionStatus.PENDING else (False, item.why_kept)
        out.append({"item": item, "allowed": allowed, "why": why,
                    "url": reverse(_ITEM_PAGES[item.kind], args=[item.ref])})
    return out


@transaction.atomic
def request_decide(*, actor, request: DeletionRequest, decision: str, reason: str = "") -> DeletionRequest:
    """Anonymise every item no law requires to keep (the rest is kept, each with its reason), or refuse with a
    reason the worker is shown."""
    actor.require("privacy.handle")
    actor.require_covers(request.org_path)
    r = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    if r.status != DeletionStatus.PENDING:
        raise ValidationError(_("This request has already been decided."), code="decided")
    reason = re.sub(r"\s+", " ", reason or "").strip()
    if len(reason) > 500:
        raise ValidationError({"reason": _("At most %(n)s characters.") % {"n": 500}})
    now = timezone.now()
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    if decision == "refuse":
        if len(reason) < 2:
            raise ValidationError({"reason": _("Give the reason for refusing; the worker is shown it.")})
        r.status, r.reason = DeletionStatus.REFUSED, reason
        DeletionItem.objects.filter(request=r).update(outcome=ItemOutcome.KEPT, why_kept=reason[:300])
    elif decision == "anonymise":
        anonymised = kept = 0
        for item in r.items.all():
            allowed, why = item_assessment(item)
            obj = _item_object(item) if allowed else None
            if obj is not None:
                fn = {ItemKind.PERSON: lambda o: anonymise.person_anonymise(actor=actor, person=o, why="request",
                                                                            request=r.code),
                      ItemKind.APPLICATION: lambda o: anonymise.application_anonymise(
                          actor=actor, application=o, why="request", request=r.code),
                      ItemKind.CASE: lambda o: anonymise.case_anonymise(actor=actor, case=o, why="request",
                                                                        request=r.code)}[item.kind]
                fn(obj)
                item.outcome, item.why_kept = ItemOutcome.ANONYMISED, ""
                anonymised += 1
            else:
                item.outcome, item.why_kept = ItemOutcome.KEPT, why[:300]
                kept += 1
            item.save(update_fields=["outcome", "why_kept"])
        r.status, r.reason = DeletionStatus.DONE, reason
    else:
        raise ValidationError({"decision": _("Choose to anonymise or to refuse.")})
    r.decided_at, r.decided_by = now, user
    r.save(update_fields=["status", "reason", "decided_at", "decided_by"])
    audit.record(actor=actor, action=f"privacy.deletion.{decision}", object_type="deletion_request",
                 object_id=r.code, scope_path=r.org_path,
                 details={"items": r.items.count(),
                          "anonymised": r.items.filter(outcome=ItemOutcome.ANONYMISED).count()})
    return r


@count_badge
def pending_count(actor) -> list[QuerySet[DeletionRequest]]:
    """The menu's badge: requests waiting in the actor's subtree (status=pending, as in the partial index
    privacy_request_pending: the decided history is never read)."""
    return [request_scope(actor=actor).filter(status=DeletionStatus.PENDING)]



def form_consent(form, request, *, person: Person, object_type: str, object_id: str) -> Consent:
    """The consent given on a public form (``privacy.forms.ConsentFields``), once what it covers has been done."""
    from gonghui.core.middleware import client_ip

    return consent_record(purpose=form.purpose, version=form.cleaned_data["notice_version"], ip=client_ip(request),
                          person=person, object_type=object_type, object_id=object_id)
