"""What the members app adds to a member's page (categories, card, transfers, history) and to a union's page
(member count, 入会率, link to its members)."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import Period, rate
from gonghui.core.profile import register_member_section, register_org_section

from .models import MembershipStatus


def categories(*, actor, person, membership):
    if membership is None:
        return None
    flags = [(_("Migrant worker"), membership.is_migrant_worker),
             (_("New forms of employment"), membership.is_new_employment),
             (_("Agency worker"), membership.is_dispatched)]
    return {"m": membership, "flags": flags}


def service_cards(*, actor, person, membership):
    from .cards import cards_of

    if membership is None:
        return None
    return {"cards": cards_of(actor=actor, membership=membership)}


def person_transfers(*, actor, person, membership):
    from .transfers import transfer_scope

    rows = list(transfer_scope(actor=actor).filter(person=person).select_related("from_union", "to_union")
                .order_by("-requested_at")[:20])
    # Like the history beside it, a union outside the actor's scope is "another union", neither named nor linked
    # (the transfer's own page says what each side may learn of the other).
    return {"transfers": [{"code": t.code, "status": t.get_status_display(), "requested_at": t.requested_at,
                           "from": t.from_union if actor.covers(t.from_path) else None,
                           "to": t.to_union if actor.covers(t.to_path) else None} for t in rows]}


def history(*, actor, person, membership):
    from .selectors import person_history

    return {"history": person_history(actor=actor, person=person)}


def union_members(*, actor, org):
    """Active members in the union's subtree and the 入会率 against the grassroots units' employees."""
    from gonghui.orgs.figures import grassroots

    from .selectors import membership_scope

    if not actor.can("member.view"):
        return None
    count = membership_scope(actor=actor).filter(org_path__startswith=org.path,
                                                 status=MembershipStatus.ACTIVE).count()
    today = timezone.localdate()
    period = Period(datetime.date(today.year, 1, 1), today, str(today.year))
    # The same measure as the figure members.rate: grassroots units existing today, their employees.
    employees = sum(grassroots(org, period).values_list("employee_count", flat=True))
    return {"count": count, "employees": employees, "rate": rate(count, employees),
            "url": reverse("members:list") + "?" + urlencode({"union": org.code, "status": "active"})}


register_member_section("categories", _("Categories and employment"), 10, categories,
                        "members/sections/categories.html")
register_member_section("cards", _("Service cards"), 20, service_cards, "members/sections/cards.html")
register_member_section("transfers", _("Transfers"), 40, person_transfers, "members/sections/transfers.html")
register_member_section("history", _("Membership history"), 90, history, "members/sections/history.html")
register_org_section("members", _("Members"), 10, union_members, "members/sections/union_members.html")
