"""作风直通车: tips sent to a federation's public mailbox, anonymously or with a contact (given with its own
consent), looked up by the sender with a tracking code and a check code, answered by the office and put on the
problem list (source 作风直通车) with a link back.

The check code is shown once, when the tip is sent; only a keyed hash of it is kept. A lookup answers the same for
an unknown code and for a wrong check.
"""

import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import audit, crypto, identity
from gonghui.core.ratelimits import PORTAL
from gonghui.members.models import Consent

from .models import Tip, TipFate, TipState

TIP_NOTICE_VERSION = "2026-12"
CONSENT_PURPOSE = "tip"
CODE_CHARS = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read off a screen and typed again
CODE_LENGTH = 10
CHECK_LENGTH = 6
SUBJECT_MAX = 100
BODY_MAX = 4000
ANSWER_MAX = 4000


def _new_code() -> str:
    while True:
        code = "ZF" + "".join(secrets.choice(CODE_CHARS) for _ in range(CODE_LENGTH - 2))
        if not Tip.objects.filter(code=code).exists():
            return code


def _check_hash(check: str) -> str:
    return crypto.blind_index(check, kind="tip_check")


def _text(value, field, message, limit, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}})
    return value


@transaction.atomic
def tip_submit(*, org, subject: str, body: str, contact_name: str = "", contact_phone: str = "",
               consent_version: str = "", ip: str | None = None) -> tuple[Tip, str]:
    """A tip to ``org``'s mailbox. Returns the tip and its check code (shown once to the sender)."""
    subject = _text(subject, "subject", _("Say in a few words what the tip is about."), SUBJECT_MAX)
    body = _text(body, "body", _("Describe what happened."), BODY_MAX)
    contact_name = _text(contact_name, "contact_name", "", 50, required=False)
    phone = ""
    if (contact_phone or "").strip():
        try:
            phone = identity.normalize_phone(contact_phone)
        except ValidationError as exc:
            raise ValidationError({"contact_phone": exc.messages}) from None
    consent = None
    if contact_name or phone:
        if not consent_version:
            raise ValidationError({"consent": _("You gave a contact: tick the consent to its processing, or leave "
                                                "the contact out and send the tip anonymously.")})
        if consent_version != TIP_NOTICE_VERSION:
            raise ValidationError({"consent": _("The personal-data notice has changed; please read it again and "
                                                "confirm your consent.")})
        consent = Consent.objects.create(purpose=CONSENT_PURPOSE, notice_version=consent_version, ip=ip or None)
    check = "".join(secrets.choice("0123456789") for _ in range(CHECK_LENGTH))
    tip = Tip(org=org, org_path=org.path, code=_new_code(), check_hash=_check_hash(check), subject=subject,
              body=body, contact_name=contact_name, contact_phone=phone, consent=consent)
    tip.save(force_insert=True)
    audit.record(actor=PORTAL, action="oversight.tip_receive", object_type="oversight.tip", object_id=tip.pk,
                 scope_path=tip.org_path, details={"code": tip.code, "contact": bool(consent)})
    return tip, check


def normalize_code(raw) -> str:
    return identity.clean_token(raw)[:CODE_LENGTH + 2]


def tip_track(*, code: str, check: str) -> Tip | None:
    """The tip with this code and check; None for an unknown code and for a wrong check alike."""
    code = normalize_code(code)
    check = "".join(c for c in identity.to_halfwidth(str(check or "")) if c.isdigit())
    tip = Tip.objects.filter(code=code).first() if len(code) == CODE_LENGTH else None
    expected = tip.check_hash if tip is not None else "-" * 32
    given = _check_hash(check) if len(check) == CHECK_LENGTH else "+" * 32
    if not hmac.compare_digest(expected.encode(), given.encode()) or tip is None:
        return None
    return tip


def contact_masked(tip: Tip) -> str:
    name = tip.contact_name
    parts = []
    if name:
        parts.append(name[0] + "*" * max(len(name) - 1, 1))
    if tip.contact_phone:
        parts.append(identity.mask(tip.contact_phone, kind="phone"))
    return " ".join(parts)


def _audit(actor, action, tip, **details):
    audit.record(actor=actor, action=action, object_type="oversight.tip", object_id=tip.pk, scope_path=tip.org_path,
                 details={"code": tip.code, **details})


@transaction.atomic
def tip_answer(actor, *, tip: Tip, answer: str) -> Tip:
    """The office's answer, shown to the sender on the tracking page (it may be changed; each change audited)."""
    actor.require("oversight.write")
    actor.require_covers(tip.org_path)
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    tip.answer = _text(answer, "answer", _("Write the answer."), ANSWER_MAX)
    tip.state, tip.answered_at = TipState.ANSWERED, timezone.now()
    tip.answered_by = actor.user if getattr(actor.user, "is_authenticated", False) else None
    tip.save(update_fields=["answer", "state", "answered_at", "answered_by"])
    _audit(actor, "oversight.tip_answer", tip)
    return tip


@transaction.atomic
def tip_to_problem(actor, *, tip: Tip, org=None, category=None, title: str = ""):
    """Put the tip on the problem list of ``org`` (default: the receiving federation), source 作风直通车, as a draft
    linked back to the tip. The contact never goes with it."""
    from . import problems

    actor.require("oversight.write")
    actor.require_covers(tip.org_path)
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    if tip.fate:
        raise ValidationError(_("This tip has already been followed up."))
    org = org or tip.org
    actor.require_covers(org.path)
    problem = problems.problem_create(actor, org=org, source_key="tip", category=category,
                                      title=(title or tip.subject)[:200], description=tip.body,
                                      link_kind="oversight.tip", link_id=tip.pk,
                                      link_label=_("Mailbox tip %(code)s") % {"code": tip.code})
    tip.fate, tip.link_kind, tip.link_id, tip.link_label = TipFate.PROBLEM, "oversight.problem", problem.pk, \
        problem.number
    tip.save(update_fields=["fate", "link_kind", "link_id", "link_label"])
    _audit(actor, "oversight.tip_problem", tip, problem=problem.number)
    return problem
