"""The left menu, by role. Apps add entries here as they arrive.

Every staff page draws it, so it is cheap: the entries an actor may open (labels translated, addresses reversed)
are worked out once per set of permissions, language and URL prefix, and kept; only the current entry and the
badges are a page's own. A badge that counts rows (``count_badge``) hands the menu its querysets, and the menu
counts all of a page's badges in one query.
"""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    perm: str
    section: str
    badge: str = ""  # dotted path of fn(actor) -> int | None: a count shown next to the entry (see count_badge)



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
    _ENTRIES.clear()


def count_badge(fn):
    """Decorator for a badge that counts rows: ``fn(actor)`` returns the querysets whose rows the badge counts
    (added up), or None when the actor gets no badge. The decorated function returns the count, None for 0 (as a
    badge shows it); the menu reads ``.querysets`` and counts every badge of a page in one query."""

    @functools.wraps(fn)
    def badge(actor) -> int | None:
        querysets = fn(actor)
        return None if querysets is None else sum(qs.count() for qs in querysets) or None

    badge.querysets = fn
    return badge


def count_many(querysets: list) -> list[int]:
    """``[qs.count() for qs in querysets]`` in one round trip per database: SELECT (SELECT COUNT(*) FROM (…)), …"""
    counts = [0] * len(querysets)
    by_db: dict[str, list[int]] = {}
    for i, qs in enumerate(querysets):
        by_db.setdefault(qs.db, []).append(i)
    for db, indexes in by_db.items():
        parts, params, at = [], [], []
        for i in indexes:
            qs = querysets[i].order_by()
            if not qs.query.distinct:
                qs = qs.values("pk")
            try:
                sql, p = qs.query.get_compiler(using=db).as_sql()
            except EmptyResultSet:  # .none(): nothing to count
                continue
            # The compiler's SQL, its values as parameters.
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) badge{len(parts)})")  # noqa: S608
            params.extend(p)
            at.append(i)
        if parts:
            with connections[db].cursor() as cur:
                cur.execute("SELECT " + ", ".join(parts), params)
                for i, n in zip(at, cur.fetchone(), strict=True):
                    counts[i] = n
    return counts


# (permissions, language, script prefix, urlconf) → [(section title, [(label, url, badge path)])]
_ENTRIES: dict[tuple, list[tuple[str, list[tuple[str, str, str]]]]] = {}


def _entries(actor) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The sections of entries the actor may open, translated and reversed: the same for every actor with the
    same permissions (an actor's permissions are its role's), so kept per permission set."""
    perms = frozenset(item.perm for item in MENU if actor.can(item.perm))
    key = (perms, get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    entries = _ENTRIES.get(key)
    if entries is None:
        sections: dict[str, list[tuple[str, str, str]]] = {}
        for item in MENU:
            if item.perm in perms:
                sections.setdefault(str(item.section), []).append((str(item.label), reverse(item.url_name),
                                                                   item.badge))
        entries = _ENTRIES[key] = list(sections.items())
    return entries


def badges_for(actor, paths: list[str]) -> dict[str, int | None]:
    """The badges named by ``paths`` for the actor: the counting ones (``count_badge``) in one query, others one
    by one."""
    found: dict[str, int | None] = {}
    counted: list[tuple[str, list]] = []
    for path in paths:
        fn = import_string(path)
        querysets = getattr(fn, "querysets", None)
        if querysets is None:
            found[path] = fn(actor)
        elif (qss := querysets(actor)) is None:
            found[path] = None
        else:
            counted.append((path, list(qss)))
    counts = iter(count_many([qs for _path, qss in counted for qs in qss]))
    for path, qss in counted:
        found[path] = sum(next(counts) for _qs in qss) or None
    return found


def menu_for(request, actor) -> list[dict]:
    """Sections of entries the actor may open, the current one marked."""
    entries = _entries(actor)
    here = request.path
    # The entry whose address is the longest prefix of this page is the current one.
    current = max((url for _title, items in entries for _label, url, _badge in items if here.startswith(url)),
                  key=len, default=None)
    badges = badges_for(actor, [badge for _title, items in entries for _label, _url, badge in items if badge])
    return [{"title": title, "items": [{"label": label, "url": url, "active": url == current,
                                        "badge": badges[badge] if badge else None}
                                       for label, url, badge in items]}
            for title, items in entries]
