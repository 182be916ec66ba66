"""Who may do what, over which part of the tree.

An ``Actor`` is a user acting through one of their grants (the "current org" in the top bar). Its scope
is that org's subtree. Every selector and service takes the actor; an object outside the scope is
answered exactly like a missing one (404).
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import ADMIN_ROLES, Grant, Role

# Capabilities by role. Business roles never manage users; administrators never see personal data.
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.FEDERATION_STAFF: frozenset({
        "dashboard.view", "org.view", "org.write", "org.import", "org.move", "org.dissolve",
        "personal.reveal", "export", "calendar.view", "member.view", "member.write", "member.import",
        "case.view", "case.write", "approval.decide", "privacy.handle",
        "funds.view", "funds.write", "funds.review", "funds.settings",
        "oversight.view", "oversight.write", "oversight.review", "oversight.settings",
        "aid.view", "aid.write", "aid.review", "aid.settings",
        "democracy.view", "democracy.write", "democracy.settings",
    }),
    Role.UNION_OFFICER: frozenset({
        "dashboard.view", "org.view", "org.write", "personal.reveal", "export", "calendar.view",
        "member.view", "member.write", "member.import", "case.view", "case.write", "approval.decide",
        "privacy.handle", "funds.view", "funds.write", "oversight.view", "oversight.write",
        "aid.view", "aid.write", "democracy.view", "democracy.write",
    }),
    Role.AUDITOR: frozenset({"dashboard.view", "org.view", "export", "calendar.view", "audit.view", "member.view",
                                 "case.view", "funds.view", "funds.review", "oversight.view", "aid.view",
                                 "democracy.view"}),
    Role.SYSTEM_ADMIN: frozenset({"user.manage", "org.view", "calendar.view", "calendar.manage", "case.policy"}),
    Role.SECURITY_ADMIN: frozenset({"security.manage"}),
    Role.AUDIT_ADMIN: frozenset({"audit.view"}),
}


@dataclass(frozen=True)
class Actor:
    user: object | None
    grant: Grant | None
    grants: tuple[Grant, ...] = field(default=())
    label: str = ""  # names a non-human actor (a command, the system) in the audit trail

    @property
    def is_authenticated(self) -> bool:
        return self.grant is not None

    @property
    def org(self):
        return self.grant.org if self.grant else None

    @property
    def role(self) -> str | None:
        return self.grant.role if self.grant else None

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES

    def can(self, perm: str) -> bool:
        return self.grant is not None and perm in PERMISSIONS.get(self.grant.role, frozenset())

    def require(self, perm: str) -> None:
        if not self.can(perm):
            raise PermissionDenied(perm)

    def covers(self, path: str) -> bool:
        """True when the org at ``path`` is inside this actor's subtree."""
        return self.grant is not None and path.startswith(self.grant.org.path)

    def require_covers(self, path: str) -> None:
        if not self.covers(path):
            raise Http404

    def audit_fields(self) -> dict:
        return {
            "actor": self.user if self.user is not None and self.user.is_authenticated else None,
            "actor_name": getattr(self.user, "username", "") or self.label,
            "actor_org": self.org.code if self.org else "",
        }


ANONYMOUS = Actor(user=None, grant=None)
SYSTEM = Actor(user=None, grant=None, label="system")


def actor_for(user, grant_id: int | None = None) -> Actor:
    """The actor for a user, acting through ``grant_id`` when it is one of theirs, else their first grant."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    grants = tuple(Grant.objects.filter(user=user).select_related("org").order_by("id"))
    grants = tuple(g for g in grants if g.org.status == "active")
    if not grants:
        return Actor(user=user, grant=None, grants=())
    chosen = next((g for g in grants if g.id == grant_id), grants[0])
    return Actor(user=user, grant=chosen, grants=grants)
