"""What the orgs app adds to a union's page: the year's key figures for its subtree, linked to the overview."""


from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core import figures
from gonghui.core.profile import register_org_section

# The members' count and 入会率 have their own section (members): not computed twice here.
KEYS = ["orgs.grassroots", "orgs.legal_person_rate", "members.cards_active", "casework.received",
        "casework.on_time_rate", "casework.satisfaction_rate"]


def key_figures(*, actor, org):
    if not actor.can("dashboard.view"):
        return None
    # The dashboard's own period (the whole year): its figures then come from the pre-aggregated months.
    period = figures.Period.parse(str(timezone.localdate().year))
    values = {v.key: v for v in figures.compute(org, period, actor=actor, keys=KEYS)}
    rows = [values[k] for k in KEYS if k in values]
    return {"rows": rows, "period": period, "url": reverse("orgs:dashboard", args=[org.code])} if rows else None


register_org_section("figures", _("Figures this year"), 50, key_figures, "orgs/sections/figures.html")
