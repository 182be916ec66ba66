"""The left menu, by role. Apps add entries here as they arrive."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    perm: str
    section: str
    badge: str = ""  # dotted path of fn(actor) -> int | None: a count shown next to the entry



SYSTEM = _("System")

MENU: list[MenuItem] = [
    MenuItem(_("Dashboard"), "orgs:dashboard_home", "dashboard.view", _("Overview")),
    MenuItem(_("Approvals"), "approvals:list", "approval.decide", _("Overview"),
             badge="gonghui.core.approvals.menu_badge"),
    MenuItem(_("Organization tree"), "orgs:tree", "org.view", _("Organizations")),
    MenuItem(_("Union list"), "orgs:list", "org.view", _("Organizations")),
    MenuItem(_("Import unions"), "orgs:import", "org.import", _("Organizations")),
    MenuItem(_("Member list"), "members:list", "member.view", _("Members")),
    MenuItem(_("Import members"), "members:import", "member.import", _("Members")),
    MenuItem(_("Join applications"), "members:applications", "member.view", _("Members"),
             badge="gonghui.members.badges.applications_pending"),
    MenuItem(_("Transfers"), "members:transfers", "member.view", _("Members"),
             badge="gonghui.members.badges.transfers_to_act_on"),
    MenuItem(_("Service cards"), "members:cards", "member.view", _("Members")),
    MenuItem(_("Case inbox"), "casework:inbox", "case.view", _("Serving workers"),
             badge="gonghui.casework.selectors.menu_badge"),
    MenuItem(_("Log a visit or call"), "casework:new", "case.write", _("Serving workers")),
    # The shared list (gonghui.core.supervision): overdue requests and the oversight kinds together.
    MenuItem(_("Supervision list"), "supervision:list", "case.view", _("Serving workers")),
    MenuItem(_("Deletion requests"), "privacy:requests", "privacy.handle", _("Serving workers"),
             badge="gonghui.privacy.services.pending_count"),
    MenuItem(_("Working-day calendar"), "core:calendar", "calendar.view", SYSTEM),
    MenuItem(_("Users and grants"), "core:users", "user.manage", SYSTEM),
    MenuItem(_("Security settings"), "core:security", "security.manage", SYSTEM),
    MenuItem(_("Audit trail"), "core:audit", "audit.view", SYSTEM),
    MenuItem(_("Time-limit policy"), "casework:policies", "case.policy", SYSTEM),
    MenuItem(_("Supervision thresholds"), "supervision:thresholds", "case.policy", SYSTEM),
]


def register(*items: MenuItem) -> None:
    """Add an app's entries, in order, before the System section (which stays last)."""
    at = next((i for i, item in enumerate(MENU) if item.section is SYSTEM), len(MENU))
    MENU[at:at] = [item for item in items if item not in MENU]


def menu_for(request, actor) -> list[dict]:
    """Sections of entries the actor may open, the current one marked."""
    sections: dict[str, list[dict]] = {}
    here = request.path
    entries = [(item, reverse(item.url_name)) for item in MENU if actor.can(item.perm)]
    # The entry whose address is the longest prefix of this page is the current one.
    current = max((url for _item, url in entries if here.startswith(url)), key=len, default=None)
    for item, url in entries:
        badge = import_string(item.badge)(actor) if item.badge else None
        sections.setdefault(str(item.section), []).append(
            {"label": item.label, "url": url, "active": url == current, "badge": badge})
    return [{"title": title, "items": items} for title, items in sections.items()]
