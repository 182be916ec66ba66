"""The JSON API under /api/v1/: session auth (with CSRF) for the browser, bearer tokens for integrations.

Every endpoint receives the request's actor as ``request.auth`` and reads through the same selectors as
the pages, so an object outside the actor's scope is a 404 here too.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from gonghui.core.access import actor_for


class ActorSessionAuth(SessionAuth):
    def __call__(self, request):
        # Only a call that rides on the session cookie needs (and gets) the CSRF check. A bearer call carries no
        # cookie a forged page could use, so it goes straight to TokenAuth, as does an anonymous call (then 401).
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            return None
        actor = getattr(request, "actor", None)
        if actor is None or not actor.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        actor = getattr(request, "actor", None)
        return actor if actor is not None and actor.is_authenticated else None


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        from gonghui.core.users_services import api_token_authenticate

        found = api_token_authenticate(token)
        if found is None:
            return None
        actor = actor_for(found.user, found.grant_id)
        if actor.grant is None or actor.grant.pk != found.grant_id:
            return None
        request.actor = actor
        return actor


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class NoNulParser(Parser):
    """JSON bodies and query strings without NUL characters, which no text field can hold (PostgreSQL refuses
    them: a 500 the API fuzzer found)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if _has_nul(data):
            raise ValidationError(_("The value is not valid."))
        return data

    def parse_querydict(self, data, list_fields, request):
        parsed = super().parse_querydict(data, list_fields, request)
        if _has_nul(parsed):
            raise ValidationError(_("The value is not valid."))
        return parsed


api = NinjaAPI(
    title="gonghui API", version="1", urls_namespace="api", auth=[ActorSessionAuth(), TokenAuth()],
    parser=NoNulParser(),
    description="工会工作平台接口。浏览器用会话登录（需 CSRF），外部系统用 Bearer 令牌。",
)


def _messages(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [{"field": field, "message": m} for field, errs in exc.message_dict.items() for m in errs]
    return [{"field": None, "message": m} for m in exc.messages]


@api.exception_handler(ValidationError)
def _validation(request, exc):
    return api.create_response(request, {"detail": _messages(exc)}, status=422)


def _schema_message(err: dict) -> str:
    ctx = err.get("ctx") or {}
    kind = err.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("Must be at least %(n)s.") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("Must be at most %(n)s.") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind == "string_too_long":
        return _("At most %(n)s characters.") % {"n": ctx.get("max_length")}
    if kind == "enum":
        return _("Not one of the allowed values: %(values)s.") % {"values": ctx.get("expected", "")}
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Write the date as 2026-01-31.")
    if kind.startswith("int"):
        return _("Must be a whole number.")
    if kind.startswith("bool"):
        return _("Must be true or false.")
    return _("The value is not valid.")


@api.exception_handler(SchemaError)
def _schema(request, exc):
    detail = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload", "filters")]
        detail.append({"field": ".".join(loc) or None, "message": _schema_message(err)})
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    return api.create_response(request, {"detail": _("You do not have permission to do this.")}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthorized(request, exc):
    return api.create_response(request, {"detail": _("Log in or present a valid token.")}, status=401)


def _mount() -> None:
    from gonghui.aid.api import router as aid_router
    from gonghui.casework.api import router as casework_router
    from gonghui.core.api import router as core_router
    from gonghui.core.api_approvals import router as approvals_router
    from gonghui.core.api_attachments import router as attachments_router
    from gonghui.democracy.api import router as democracy_router
    from gonghui.funds.api import router as funds_router
    from gonghui.members.api import router as members_router
    from gonghui.members.api_import import router as member_import_router
    from gonghui.orgs.api import router as orgs_router
    from gonghui.oversight.api import router as oversight_router

    api.add_router("", core_router)
    api.add_router("/orgs", orgs_router)
    # The import routes are mounted first so /members/imports is not read as a member's uid.
    api.add_router("/members", member_import_router)
    api.add_router("/members", members_router)
    api.add_router("/casework", casework_router)
    api.add_router("/funds", funds_router)
    api.add_router("/oversight", oversight_router)
    api.add_router("/aid", aid_router)
    api.add_router("/democracy", democracy_router)
    api.add_router("/attachments", attachments_router)
    api.add_router("/approvals", approvals_router)


_mount()
