"""Intake: a visit, call, letter, grid officer's report or referral logged by staff, and a request filed by the
worker on the public page; the tracking enquiry and the worker's rating.

At the front desk, the same person (the phone's blind index) with the same topic while an earlier case is open is
not opened twice: the new contact is linked to the open case. On the public page anyone may type anyone's phone
number, so a submission never reveals or changes another case: it becomes its own case, flagged for staff as a
possible repeat of the open one, and staff link the two (``case_link_repeat``, audited).
"""

import datetime
import hmac
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core import crypto, identity
from gonghui.core.access import Actor
from gonghui.members.models import Consent
from gonghui.orgs.models import Level, Org, Status

from . import deadlines, notices, stats
from .common import CODE_LENGTH, add_event, local_today, new_code, record, set_color, set_due, user_of
from .models import (
    ANSWERED,
    COLLECTIVE_PEOPLE,
    STAFF_CHANNELS,
    Action,
    Case,
    Category,
    Channel,
    Complexity,
    Intake,
    Satisfaction,
    State,
    Topic,
)

REQUEST_NOTICE_VERSION = "2026-12"  # 2026-12: the optional ID number and what it is for
CONSENT_PURPOSE = "request"
PUBLIC = Actor(user=None, grant=None, label="public")
# A letter may be logged some days after it arrived; its time limit counts from the day it arrived.
MAX_BACKDATE_DAYS = 60
MAX_PEOPLE = 10000


@dataclass
class IntakeResult:
    case: Case
    linked: bool  # True: the contact was added to an open case of the same person and topic


def _text(data: dict, name: str, *, limit: int, required_message: str = "", errors: dict) -> str:
    value = re.sub(r"[ \t]+", " ", str(data.get(name) or "")).strip()
    if not value and required_message:
        errors[name] = [required_message]
    elif len(value) > limit:
        errors[name] = [_("At most %(n)s characters.") % {"n": limit}]
    return value


def _choice(data: dict, name: str, choices, message: str, errors: dict, default: str = "") -> str:
    value = str(data.get(name) or default)
    if value not in choices:
        errors[name] = [message]
    return value


def clean_intake(data: dict, *, public: bool, today: datetime.date) -> dict:
    """Normalize an intake; raise one ValidationError naming every bad field."""
    errors: dict[str, list] = {}
    out: dict = {}
    if public:
        out["channel"] = data.get("channel") or Channel.WEB
    else:
        out["channel"] = _choice(data, "channel", STAFF_CHANNELS, _("Choose how the request came in."), errors)
    out["category"] = _choice(data, "category", Category.values, _("Choose the kind of request."), errors,
                              default="" if not public else Category.SOLUTION)
    out["topic"] = _choice(data, "topic", Topic.values, _("Choose what the request is about."), errors)
    out["complexity"] = _choice(data, "complexity", Complexity.values, _("Choose the complexity."), errors,
                                default=Complexity.GENERAL)
    out["subject"] = _text(data, "subject", limit=100, errors=errors,
                           required_message=_("Say in a few words what the request is about."))
    if out["subject"] and len(out["subject"]) < 2:
        errors["subject"] = [_("Say in a few words what the request is about.")]
    out["description"] = str(data.get("description") or "").strip()
    if len(out["description"]) > 4000:
        errors["description"] = [_("At most %(n)s characters.") % {"n": 4000}]
    if public and not out["description"]:
        errors["description"] = [_("Describe your request: what happened, where, and what you ask for.")]
    out["worker_name"] = _text(data, "worker_name", limit=50, errors=errors,
                               required_message=_("Your name is required.") if public else "")
    out["workplace"] = _text(data, "workplace", limit=100, errors=errors)
    out["source_note"] = _text(data, "source_note", limit=100, errors=errors)
    out["phone"] = ""
    raw_phone = str(data.get("phone") or "").strip()
    if raw_phone:
        try:
            out["phone"] = identity.normalize_mobile(raw_phone) if public else identity.normalize_phone(raw_phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages if public else [
                _("Write a mobile number (11 digits) or a landline with its area code, such as 0571-87654321.")]
    elif public:
        errors["phone"] = [_("Your mobile number is required: the union tells you the progress on it.")]
    out["id_number"] = ""
    raw_id = identity.clean_token(data.get("id_number"))
    if raw_id:
        try:
            out["id_number"] = id_number_value(raw_id)
        except ValidationError as exc:
            errors["id_number"] = exc.messages
    people = data.get("people") or 1
    try:
        out["people"] = int(people)
    except (TypeError, ValueError):
        errors["people"] = [_("The number of people is a whole number.")]
        out["people"] = 1
    if "people" not in errors and not 1 <= out["people"] <= MAX_PEOPLE:
        errors["people"] = [_("The number of people is between 1 and %(n)s.") % {"n": MAX_PEOPLE}]
    if out["channel"] != Channel.VISIT:
        out["people"] = 1
    received_on = data.get("received_on") or today
    if isinstance(received_on, str):
        try:
            received_on = datetime.date.fromisoformat(received_on)
        except ValueError:
            errors["received_on"] = [_("Write the date as 2026-01-31.")]
            received_on = today
    if received_on > today:
        errors["received_on"] = [_("The date received cannot be in the future.")]
    elif (today - received_on).days > MAX_BACKDATE_DAYS:
        errors["received_on"] = [_("The date received is more than %(n)s days ago; log requests as they arrive.")
                                 % {"n": MAX_BACKDATE_DAYS}]
    out["received_on"] = received_on
    out["note"] = _text(data, "note", limit=200, errors=errors)
    if errors:
        raise ValidationError(errors)
    out["is_collective"] = out["channel"] == Channel.VISIT and out["people"] >= COLLECTIVE_PEOPLE
    return out


_OTHER_DOCUMENT = re.compile(r"[A-Z0-9]{5,18}")


def id_number_value(raw: object) -> str:
    """The ID number as stored and hashed: a resident ID checked (GB 11643), another document's number as typed
    (letters and digits). The personal-information page hashes what the worker types the same way."""
    value = identity.clean_token(raw)
    if re.fullmatch(r"\d{15,18}|\d{17}X", value) or (len(value) == 18 and value[:17].isdigit()):
        return identity.parse_resident_id(value).number
    if not _OTHER_DOCUMENT.fullmatch(value):
        raise ValidationError(_("Write the number of your resident ID card (18 characters) or of another identity "
                                "document (letters and digits)."), code="id_shape")
    return value


def phone_index(phone: str) -> str:
    return crypto.blind_index(phone, kind="phone") if phone else ""


def open_case_of(*, phone: str, topic: str, lock: bool = False) -> Case | None:
    """The open case of this person (phone) and topic, if any."""
    if not phone:
        return None
    qs = Case.objects.filter(phone_bidx=phone_index(phone), topic=topic, repeat_of__isnull=True).exclude(
        state=State.CLOSED)
    if lock:
        qs = qs.select_for_update()
    return qs.select_related("holder_org").first()


def _add_intake(case: Case, *, actor, org: Org, clean: dict, first: bool, at: datetime.datetime) -> Intake:
    intake = Intake(case=case, channel=clean["channel"], people=clean["people"], is_collective=clean["is_collective"],
                    org=org, org_path=org.path, received_by=user_of(actor), received_at=at,
                    received_on=clean["received_on"], first=first, note=clean["note"])
    intake.full_clean(exclude=["case", "org", "received_by"], validate_constraints=False)
    intake.save(force_insert=True)
    stats.intake_added(intake)
    return intake


def _link(existing: Case, *, actor, org: Org, clean: dict, at: datetime.datetime) -> IntakeResult:
    _add_intake(existing, actor=actor, org=org, clean=clean, first=False, at=at)
    note = clean["note"] or clean["subject"]
    add_event(existing, actor=actor, action=Action.LINKED, note=note, org=org, public=True, at=at)
    record(actor, existing, "link", channel=clean["channel"], people=clean["people"], at_org=org.code)
    return IntakeResult(case=existing, linked=True)


def _create(*, actor, org: Org, clean: dict, consent: Consent | None, at: datetime.datetime,
            repeat_of: Case | None = None) -> Case:
    policy, limit = deadlines.limit_for(category=clean["category"], topic=clean["topic"],
                                        complexity=clean["complexity"])
    case = Case(
        code=new_code(), channel=clean["channel"], category=clean["category"], topic=clean["topic"],
        complexity=clean["complexity"], subject=clean["subject"], description=clean["description"],
        worker_name=clean["worker_name"], phone=clean["phone"], phone_bidx=phone_index(clean["phone"]),
        id_number=clean.get("id_number", ""),
        phone_last4=clean["phone"][-4:] if clean["phone"] else "", workplace=clean["workplace"],
        people=clean["people"], is_collective=clean["is_collective"], source_note=clean["source_note"],
        intake_org=org, intake_path=org.path, received_by=user_of(actor), received_at=at,
        received_on=clean["received_on"], consent=consent, holder_org=org, org_path=org.path,
        owner=user_of(actor), state=State.RECEIVED, state_at=at, progress_at=at, policy=policy, limit_days=limit,
        clock_start=clean["received_on"], repeat_of=repeat_of)
    set_due(case)
    set_color(case, local_today(at))
    case.full_clean(exclude=["phone_bidx", "id_number_bidx", "intake_org", "holder_org", "received_by", "owner",
                             "consent", "policy", "repeat_of"], validate_unique=False, validate_constraints=False)
    case.save(force_insert=True)
    stats.case_added(case)
    _add_intake(case, actor=actor, org=org, clean=clean, first=True, at=at)
    add_event(case, actor=actor, action=Action.RECEIVED, org=org, to_state=State.RECEIVED, public=True, at=at)
    record(actor, case, "receive", channel=case.channel, topic=case.topic, people=case.people,
           collective=case.is_collective, at_org=org.code)
    return case


def _open_or_link(*, actor, org: Org, clean: dict, consent: Consent | None) -> IntakeResult:
    at = timezone.now()
    existing = open_case_of(phone=clean["phone"], topic=clean["topic"], lock=True)
    if existing is not None:
        return _link(existing, actor=actor, org=org, clean=clean, at=at)
    try:
        with transaction.atomic():
            return IntakeResult(case=_create(actor=actor, org=org, clean=clean, consent=consent, at=at), linked=False)
    except IntegrityError:
        # A concurrent intake opened the same person's case on this topic first: link to it.
        existing = open_case_of(phone=clean["phone"], topic=clean["topic"], lock=True)
        if existing is None:
            raise
        return _link(existing, actor=actor, org=org, clean=clean, at=at)


def _check_org(org: Org) -> None:
    if org.status != Status.ACTIVE:
        raise ValidationError(_("%(name)s is dissolved and takes no requests.") % {"name": org.name})


@transaction.atomic
def case_log(*, actor, data: dict) -> IntakeResult:
    """Staff log a visit, call, letter, grid officer's report or referral at their own unit's front desk. The
    person logging it is its first responder (首问负责) and owns it until a hand-over is on record."""
    actor.require("case.write")
    org = actor.org
    _check_org(org)
    clean = clean_intake(data, public=False, today=local_today())
    return _open_or_link(actor=actor, org=org, clean=clean, consent=None)


def public_targets() -> list[Org]:
    """The federations a worker may address on the public page without a union's own link."""
    return list(Org.objects.filter(status=Status.ACTIVE, level__in=(Level.CITY, Level.COUNTY)).order_by("path"))


def public_target_get(code: str) -> Org | None:
    """An active unit taking requests from the public page (any level: a union's own link leads to it)."""
    code = (code or "").strip()
    if not code:
        return None
    return Org.objects.filter(status=Status.ACTIVE, code=code).first() or \
        Org.objects.filter(status=Status.ACTIVE, code=code.upper()).first()


@transaction.atomic
def case_file_public(*, org: Org, data: dict, consent_version: str, ip: str | None, mobile: bool) -> IntakeResult:
    """A request filed by the worker on the public page, with their consent to the notice."""
    if not consent_version:
        raise ValidationError({"consent": ValidationError(
            _("Without your consent to the processing of your personal information the union cannot handle your "
              "request."), code="consent_required")})
    if consent_version != REQUEST_NOTICE_VERSION:
        raise ValidationError({"consent": ValidationError(
            _("The personal-data notice has changed; please read it again and confirm your consent."),
            code="notice_changed")})
    _check_org(org)
    if identity.clean_token(data.get("id_number")) and not data.get("consent_id_number"):
        # An ID number is sensitive personal information: its own consent (PIPL art. 29), or leave it out.
        raise ValidationError({"consent_id_number": ValidationError(
            _("You gave your ID number: tick the separate consent to its processing, or leave the number out."),
            code="consent_required")})
    data = {**data, "channel": Channel.MOBILE if mobile else Channel.WEB, "people": 1, "received_on": None,
            "note": "", "source_note": "", "complexity": Complexity.GENERAL}
    clean = clean_intake(data, public=True, today=local_today())
    consent = Consent.objects.create(purpose=CONSENT_PURPOSE, notice_version=consent_version, ip=ip or None)
    at = timezone.now()
    try:
        with transaction.atomic():
            case = _create(actor=PUBLIC, org=org, clean=clean, consent=consent, at=at,
                           repeat_of=open_case_of(phone=clean["phone"], topic=clean["topic"]))
    except IntegrityError:
        # A concurrent intake opened this person's case on the topic first: this one is its possible repeat.
        earlier = open_case_of(phone=clean["phone"], topic=clean["topic"])
        if earlier is None:
            raise
        case = _create(actor=PUBLIC, org=org, clean=clean, consent=consent, at=at, repeat_of=earlier)
    # An earlier case outside the unit's subtree stays the person's one open case (the constraint) but is no flag,
    # no audit line and no name on this unit's pages.
    if case.is_possible_repeat:
        record(PUBLIC, case, "possible_repeat")  # the flag, for staff; the earlier case is not named
    notices.tell(phone=case.phone, template="case.received", code=case.code, org=org.name)
    return IntakeResult(case=case, linked=False)


@transaction.atomic
def case_link_repeat(*, actor, case: Case) -> Case:
    """Staff link a request flagged as a possible repeat to the earlier open case of the same person and topic:
    its intake and text are added to the earlier case, and it is closed as linked (counted no more on its own).
    The actor must handle both cases."""
    actor.require("case.write")
    repeat = Case.objects.select_for_update(of=("self",)).filter(pk=case.pk).first()
    if repeat is None or not actor.covers(repeat.org_path):
        raise Http404
    if not repeat.is_possible_repeat:
        raise ValidationError(_("This request is not flagged as a possible repeat."), code="not_repeat")
    earlier = Case.objects.select_for_update(of=("self",)).filter(pk=repeat.repeat_of_id).first()
    if earlier is None or not actor.covers(earlier.org_path):
        raise ValidationError(_("The earlier request is held by a unit outside yours; ask a federation above both "
                                "units to link them."), code="out_of_scope")
    if earlier.state == State.CLOSED or repeat.state == State.CLOSED:
        raise ValidationError(_("Only two open requests can be linked; reopen the earlier one or handle this one on "
                                "its own."), code="closed")
    now = timezone.now()
    Intake.objects.filter(case=repeat).update(case=earlier, first=False)
    note = (f"{repeat.subject}：{repeat.description}" if repeat.description else repeat.subject)[:2000]
    add_event(earlier, actor=actor, action=Action.LINKED, note=note, org=repeat.intake_org, public=False, at=now)
    stats.remember(repeat)
    before = repeat.state
    repeat.state, repeat.state_at, repeat.progress_at, repeat.linked_at = State.CLOSED, now, now, now
    repeat.closed_at, repeat.closed_on = now, local_today(now)
    repeat.days_to_close = deadlines.working_days_open(received_on=repeat.received_on, closed_on=repeat.closed_on,
                                                       paused_days=repeat.paused_days)
    repeat.reply, repeat.replied_at = str(LINKED_REPLY), repeat.replied_at or now
    set_color(repeat, local_today(now))
    repeat.save(update_fields=["state", "state_at", "progress_at", "linked_at", "closed_at", "closed_on",
                               "days_to_close", "reply", "replied_at", "color", "updated_at"])
    stats.case_changed(repeat)
    # Not on the public timeline: whoever typed the phone learns nothing of another request.
    add_event(repeat, actor=actor, action=Action.REPEAT_LINKED, from_state=before, to_state=State.CLOSED,
              public=False, at=now)
    record(actor, repeat, "link_repeat", into=earlier.code)
    record(actor, earlier, "link", repeat=repeat.code)
    # The earlier case's code goes to its own phone only, as at the front desk.
    notices.tell(phone=earlier.phone, template="case.linked", code=earlier.code)
    return repeat


# Neutral: the tracking page must not confirm to whoever typed the phone that another request exists.
LINKED_REPLY = gettext_lazy("This request is closed here; the union goes on handling the matter and tells the "
                            "progress and the reply by text message to the phone given.")


def normalize_code(raw: object) -> str:
    return identity.clean_token(raw)[:CODE_LENGTH + 2]


def case_track(*, code: str, phone_last4: str) -> Case | None:
    """The case with this code whose phone ends in these digits; None otherwise (one answer for an unknown code
    and for wrong digits)."""
    code = normalize_code(code)
    digits = re.sub(r"\D", "", identity.to_halfwidth(str(phone_last4 or "")))
    if len(code) != CODE_LENGTH or len(digits) != 4:
        return None
    case = Case.objects.select_related("holder_org").filter(code=code).first()
    expected = case.phone_last4 if case is not None and case.phone_last4 else "----"
    if not hmac.compare_digest(expected.encode(), digits.encode()) or case is None:
        return None
    return case


PUBLIC_STATUS = {
    State.RECEIVED: ("received", gettext_lazy("Received")),
    State.DISPATCHED: ("dispatched", gettext_lazy("Passed to the responsible unit")),
    State.ACCEPTED: ("handling", gettext_lazy("Being handled")),
    State.IN_PROGRESS: ("handling", gettext_lazy("Being handled")),
    State.RETURNED: ("handling", gettext_lazy("Being handled")),
    State.REOPENED: ("handling", gettext_lazy("Being handled again")),
    State.REPLIED: ("answered", gettext_lazy("Answered")),
    State.FOLLOWED_UP: ("answered", gettext_lazy("Answered")),
    State.CLOSED: ("closed", gettext_lazy("Closed")),
}


def public_status(case: Case) -> tuple[str, str]:
    """What the worker is shown: the handling steps inside the unions are not theirs to follow."""
    if case.is_paused:
        return "papers", str(gettext_lazy("Waiting for your papers"))
    key, label = PUBLIC_STATUS[State(case.state)]
    return key, str(label)


def can_rate(case: Case) -> bool:
    # A repeat linked to the earlier case is rated there, where the reply is.
    return case.state in ANSWERED and case.rated_via != "worker" and case.linked_at is None


@transaction.atomic
def case_rate(*, case: Case, satisfaction: str, comment: str = "") -> Case:
    """The worker rates the reply on the tracking page, once. On a replied case that is its follow-up (回访)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    stats.remember(case)
    if not can_rate(case):
        raise ValidationError(_("This request cannot be rated now: it has no reply yet, or you have rated it."),
                              code="not_ratable")
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Choose how satisfied you are.")})
    comment = re.sub(r"\s+", " ", comment or "").strip()
    if len(comment) > 200:
        raise ValidationError({"comment": _("At most %(n)s characters.") % {"n": 200}})
    now = timezone.now()
    before = case.state
    case.satisfaction, case.rating_comment, case.rated_via, case.rated_at = satisfaction, comment, "worker", now
    fields = ["satisfaction", "rating_comment", "rated_via", "rated_at", "updated_at"]
    if case.state == State.REPLIED:
        case.state, case.state_at, case.progress_at = State.FOLLOWED_UP, now, now
        fields += ["state", "state_at", "progress_at"]
    case.save(update_fields=fields)
    stats.case_changed(case)
    add_event(case, actor=PUBLIC, action=Action.RATED, note=comment, from_state=before if before != case.state else "",
              public=True, at=now)
    record(PUBLIC, case, "rate", satisfaction=satisfaction)
    return case
