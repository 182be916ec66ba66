"""The second factor of staff sign-in (django-otp): one TOTP authenticator per account and ten one-time recovery
codes. A code works once: a TOTP device refuses any time step at or before the last one it accepted, and a
recovery code is deleted when used. Wrong codes slow the device down (django-otp's exponential throttle).
The authenticator's secret is stored sealed with the personal-data keys (models.Authenticator), and a recovery
code only as its keyed hash (``recovery_digest``): a copy of the tables signs nobody in."""

import io
import re
from base64 import b32encode
from binascii import unhexlify

import segno
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from . import audit, crypto
from .models import Authenticator, SecurityPolicy, User

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
STATIC_NAME = "recovery codes"


def has_authenticator(user) -> bool:
    return Authenticator.objects.filter(user=user, confirmed=True).exists()


def second_factor_required(user) -> bool:
    """The policy wants every account to have a second factor; an account that set one up always uses it."""
    return SecurityPolicy.current().require_second_factor or has_authenticator(user)


def new_key() -> str:
    return default_key()


def key_text(key: str) -> str:
    """The secret as an authenticator app asks for it when typed in: base32, in groups of four."""
    b32 = b32encode(unhexlify(key)).decode().rstrip("=")
    return " ".join(b32[i:i + 4] for i in range(0, len(b32), 4))


def config_url(user, key: str) -> str:
    """The otpauth:// address of the hex ``key`` being set up (only in memory: the device stores it sealed)."""
    return TOTPDevice(user=user, key=key).config_url


def qr_svg(url: str) -> bytes:
    """The otpauth:// address as an SVG QR code (no script, no style attribute: safe under the CSP)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False, svgclass="gh-qr",
                                    lineclass=None)
    return out.getvalue()


def normalize(code: str) -> str:
    return re.sub(r"[\s\-]", "", str(code or "")).lower()


def recovery_digest(code: str) -> str:
    """What is stored of a recovery code: 16 hex digits of its HMAC under the blind-index key (never 8 base32
    letters like a code in clear, so migration 0008 can tell which rows it has not hashed yet)."""
    return crypto.blind_index(normalize(code), kind="recovery")[:16]


def _new_codes(device: StaticDevice) -> list[str]:
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=recovery_digest(c)) for c in codes])
    return codes


def show_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def second_factor_enrol(*, actor, key: str, code: str) -> tuple[Authenticator, list[str]]:
    """Bind the authenticator holding ``key`` to the actor's account once it shows a valid ``code``; returns the
    device and the new recovery codes (shown once: only they exist in clear)."""
    user = actor.user
    if user is None:
        raise PermissionDenied
    if has_authenticator(user):
        raise ValidationError(_("Two-step verification is already set up for this account."))
    code = normalize(code)
    if not re.fullmatch(r"\d{6}", code):
        raise ValidationError({"code": _("Enter the 6-digit code the app shows.")})
    with transaction.atomic():
        Authenticator.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        device = Authenticator.objects.create(user=user, name=TOTP_NAME, key=Authenticator.seal(key), confirmed=True)
        if not device.verify_token(code):
            transaction.set_rollback(True)
            device = None
        else:
            static = StaticDevice.objects.create(user=user, name=STATIC_NAME, confirmed=True)
            codes = _new_codes(static)
            audit.record(actor=actor, action="auth.second_factor_enrol", object_type="user",
                         object_id=user.username)
    if device is None:
        raise ValidationError({"code": _("The code is wrong. Check the time on your phone and enter the code "
                                         "the app shows now.")})
    return device, codes


@transaction.atomic
def recovery_codes_regenerate(*, actor) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    user = actor.user
    if user is None or not has_authenticator(user):
        raise ValidationError(_("Set up two-step verification first."))
    static = StaticDevice.objects.filter(user=user).first() or StaticDevice.objects.create(
        user=user, name=STATIC_NAME, confirmed=True)
    codes = _new_codes(static)
    audit.record(actor=actor, action="auth.recovery_codes", object_type="user", object_id=user.username)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_check(*, user, code: str):
    """The device that accepts ``code`` (consuming it), or None. Six digits are a TOTP code, anything else a
    recovery code; each kind is tried only on its own device so a miss throttles only that one."""
    code = normalize(code)
    if not code:
        return None
    if re.fullmatch(r"\d{6}", code):
        devices = Authenticator.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
        code = recovery_digest(code)  # django-otp compares the stored token: give it the hash
    for device in devices:
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


@transaction.atomic
def second_factor_reset(*, actor, user: User) -> None:
    """The security administrator removes an account's authenticator and recovery codes (a lost phone): the
    user sets up a new one at the next sign-in. Their sessions verified with the old device stop being verified."""
    actor.require("security.manage")
    paths = list(user.grants.values_list("org__path", flat=True))
    if (not paths and not actor.org.is_root()) or any(not actor.covers(p) for p in paths):
        raise PermissionDenied("user outside the actor's scope")
    removed = Authenticator.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    audit.record(actor=actor, action="security.second_factor_reset", object_type="user", object_id=user.username,
                 details={"removed": removed})
