"""The audit labels of what core records: sign-in, users and grants, security, calendar, backups, approvals,
exports and reveals; the detail keys shared by every app; the users and approvals as objects."""

from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .audit_labels import (
    DisplayedObject,
    choices,
    register,
    register_actor,
    register_detail,
    register_group,
    register_object_type,
)
from .models import AttachmentType, Outcome, Role, SecurityPolicy


def _users(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .models import Grant, User

    names = dict(User.objects.filter(username__in=ids).values_list("username", "display_name"))
    paths: dict[str, list[str]] = defaultdict(list)
    for username, path in Grant.objects.filter(user__username__in=ids).values_list("user__username", "org__path"):
        paths[username].append(path)
    out = {}
    for username in ids:
        text = f"{names[username]}（{username}）" if names.get(username) else username
        # The same rule as the user page: every grant of the user inside the reader's subtree.
        linked = actor.can("user.manage") and paths[username] and all(actor.covers(p) for p in paths[username])
        out[username] = DisplayedObject(text, reverse("core:user_detail", args=[username]) if linked else "")
    return out


def _approvals(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    from .approvals import KINDS, approval_scope

    rows = approval_scope(actor=actor).filter(uid__in=ids).values_list("uid", "kind")
    return {uid: DisplayedObject(f"{KINDS[kind].label if kind in KINDS else kind} {uid}",
                                 reverse("approvals:detail", args=[uid])) for uid, kind in rows}


def _policy_field(name: str) -> str:
    try:
        return str(SecurityPolicy._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _approval_kind(value) -> str:
    from .approvals import KINDS

    return str(KINDS[value].label) if value in KINDS else str(value)


register_group("auth", _("Sign-in and accounts"))
register_group("users", _("Users and grants"))
register_group("security", _("Security settings"))
register_group("personal", _("Personal data: reveals and exports"))
register_group("approvals", _("Approvals"))
register_group("system", _("System"))

register_actor("system", _("System"))
register_actor("", _("Anonymous visitor"))

register_object_type("user", _("User"), _users)
register_object_type("url", _("Page"))
register_object_type("api_token", _("API token"))
register_object_type("holiday_year", _("Holiday arrangement year"))
register_object_type("security_policy", _("Security settings"))
register_object_type("database", _("Database"))
register_object_type("approval", _("Approval request"), _approvals)
register_object_type("audit", _("Audit trail"))
# Import jobs of every kind (``core.import_jobs``); the apps label their own kinds' actions.
register_object_type("import_job", _("Import job"))
register("core.import_interrupted", _("Import interrupted (worker stopped): nothing written"), group="system",
         object_type="import_job", details={"file": _("File"), "union": _("Union")})

# Detail keys used by several apps.
register_detail("reason", _("Reason"))
register_detail("note", _("Note"))
register_detail("perm", _("Permission"))
register_detail("role", _("Role"), choices(Role))
register_detail("org", _("Unit"))
register_detail("union", _("Union"))
register_detail("parent", _("Parent unit"))
register_detail("kind", _("Kind"))
register_detail("changed", _("Fields changed"))
register_detail("filters", _("Filters"))
register_detail("masked", _("Masked"))
register_detail("format", _("Format"))
register_detail("field", _("Field"))
register_detail("count", _("Count"))
register_detail("items", _("Items"))
register_detail("rows", _("Rows"))
register_detail("source", _("Source"))
register_detail("person", _("Person"))
register_detail("from", _("From"))
register_detail("to", _("To"))
register_detail("approval", _("Approval request"))
register_detail("outcome", _("Outcome"), choices(Outcome))
register_detail("q", _("Search"))
register_detail("status", _("Status"))
register_detail("start", _("From"))
register_detail("end", _("To"))
register_detail("group", _("Action group"))
register_detail("user", _("User"))
register_detail("unit", _("Unit"))
register_detail("sort", _("Sort"))
register_detail("problems", _("Problems"))
register_detail("why", _("Why"), choices({"no reason": _("No reason given"), "retention": _("Retention period over"),
                                          "membership ended": _("The membership ended")}))

A = "auth"
register("auth.login", _("Sign in"), group=A, object_type="user")
register("auth.logout", _("Sign out"), group=A, object_type="user")
register("auth.lockout", _("Account locked after failed sign-ins"), group=A, object_type="user")
register("auth.second_factor", _("Two-step verification code"), group=A, object_type="user",
         details={"kind": (_("Kind"), choices({"totp": _("Authenticator app"), "recovery": _("Recovery code")}))})
register("auth.second_factor_enrol", _("Two-step verification set up"), group=A, object_type="user")
register("auth.recovery_codes", _("Recovery codes issued"), group=A, object_type="user")
register("user.change_password", _("Password changed"), group=A, object_type="user")
register("api_token.create", _("API token created"), group=A, object_type="api_token")
register("api_token.revoke", _("API token revoked"), group=A, object_type="api_token")

U = "users"
register("user.create", _("User created"), group=U, object_type="user")
register("user.activate", _("User enabled"), group=U, object_type="user")
register("user.deactivate", _("User disabled"), group=U, object_type="user")
register("user.reset_password", _("Password reset by an administrator"), group=U, object_type="user")
register("grant.add", _("Role granted"), group=U, object_type="user")
register("grant.remove", _("Role removed"), group=U, object_type="user")

S = "security"
register("security.policy", _("Security settings changed"), group=S, object_type="security_policy",
         details={name: _policy_field(name) for name in (
             "password_max_age_days", "require_second_factor", "session_idle_minutes", "lockout_failures",
             "lockout_cooloff_minutes")})
register("security.unlock", _("Account unlocked"), group=S, object_type="user")
register("security.second_factor_reset", _("Two-step verification reset"), group=S, object_type="user",
         details={"removed": _("Devices removed")})
register("access.denied", _("Access refused"), group=S, object_type="url")

P = "personal"
register("personal.reveal", _("Personal data shown in full"), group=P)
register("personal.export", _("Export with full personal data"), group=P)
register("export", _("Export to Excel"), group=P)

register("approval.request", _("Approval requested"), group="approvals", object_type="approval",
         details={"kind": (_("Kind"), _approval_kind)})
for _code, _label in (("approve", _("Approval granted")), ("reject", _("Approval refused")),
                      ("cancel", _("Approval request withdrawn")), ("execute", _("Approved action carried out")),
                      ("expire", _("Approval request expired"))):
    register(f"approval.{_code}", _label, group="approvals", object_type="approval",
             details={"kind": (_("Kind"), _approval_kind)})

Y = "system"
register("calendar.year_set", _("Holiday arrangement saved"), group=Y, object_type="holiday_year",
         details={"notice": _("Notice"), "created": _("New year"), "previous_days": _("Days before"),
                  "days": _("Days set")})
register("backup.create", _("Backup made"), group=Y, object_type="database",
         details={"engine": _("Database engine"), "sha256": _("Checksum"), "tables": _("Tables"),
                  "audit_seq": _("Last audit event"), "encrypted": _("Encrypted")})
register("backup.restore", _("Backup restored"), group=Y, object_type="database",
         details={"engine": _("Database engine"), "sha256": _("Checksum"), "audit_seq": _("Last audit event")})
register("audit.rekey", _("Audit chain keyed (upgrade)"), group=Y, object_type="audit",
         details={"legacy_seq": _("Last unkeyed event"), "legacy_hash": _("Its hash"), "kid": _("Key id")})


def _attachments(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    """Attached files by what they are attached to and their name, for the files inside the reader's scope."""
    from .attachments import owner_kinds
    from .models import Attachment

    if actor.org is None:
        return {}
    kinds = owner_kinds()
    rows = Attachment.objects.filter(uid__in=ids, org_path__startswith=actor.org.path).values_list(
        "uid", "original_name", "owner_kind")
    return {uid: DisplayedObject(f"{kinds[kind].label if kind in kinds else kind}：{name}")
            for uid, name, kind in rows}


register_group("attachments", _("Attachments"))
register_object_type("attachment", _("Attachment"), _attachments)
_ATTACHMENT_DETAILS = {"owner": _("Attached to"), "file": _("File name"), "type": (_("File type"),
                       choices(AttachmentType)), "size": _("Size (bytes)"), "sha256": _("Checksum (SHA-256)")}
register("attachment.upload", _("File attached"), group="attachments", object_type="attachment",
         details=_ATTACHMENT_DETAILS)
register("attachment.download", _("Attached file downloaded"), group="attachments", object_type="attachment",
         details=_ATTACHMENT_DETAILS)
register("attachment.delete", _("Attached file removed"), group="attachments", object_type="attachment",
         details=_ATTACHMENT_DETAILS)
register("attachment.refuse", _("File refused (type, size or count)"), group="attachments",
         object_type="attachment", details=_ATTACHMENT_DETAILS)
