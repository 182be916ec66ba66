"""What casework adds to a member's page (the requests they filed) and to a union's page (its open cases)."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from gonghui.core.profile import register_member_section, register_org_section

from .models import RUNNING
from .selectors import case_scope

LIMIT = 20


def member_requests(*, actor, person, membership):
    """Requests filed from the member's mobile number (the blind index), among the cases the actor may see."""
    if not actor.can("case.view") or not person.phone_bidx:
        return None
    rows = list(case_scope(actor=actor).filter(phone_bidx=person.phone_bidx).select_related("holder_org")
                .order_by("-received_on", "-id")[:LIMIT])
    return {"cases": rows, "limit": LIMIT}


def open_cases(*, actor, org):
    """Running cases in the union's subtree, the most urgent first (the running-cases index by path and due date)."""
    if not actor.can("case.view"):
        return None
    qs = case_scope(actor=actor).filter(org_path__startswith=org.path, state__in=RUNNING)
    rows = list(qs.select_related("holder_org").order_by("due_on", "id")[:LIMIT])
    return {"cases": rows, "limit": LIMIT, "more": len(rows) == LIMIT,
            "url": reverse("casework:inbox") + "?" + urlencode({"org": org.code, "tab": "open"})}


register_member_section("requests", _("Requests filed"), 30, member_requests, "casework/sections/member_requests.html")
register_org_section("cases", _("Open requests"), 40, open_cases, "casework/sections/open_cases.html")
