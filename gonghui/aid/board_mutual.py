"""The medical mutual aid claims paid on the public board (公开栏, issue 14 §5): the kind "aid.mutual_claims",
published from the plan page by a reviewer of the plan's union: per unit of ``org``'s subtree, how many claims of
the plan were paid and how much, in counts and amounts only (no name: a hospital stay is health data). Publishing
and withdrawing go through gonghui.portal.publications, which audits both."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.portal.models import Publication
from gonghui.portal.publications import publication_publish, publication_withdraw, register_kind

from .models import ClaimState, MutualClaim, MutualPlan

KIND = "aid.mutual_claims"

register_kind(KIND, label=gettext_lazy("Medical mutual aid paid (医疗互助补助公示)"))


def claims_publish(*, actor, plan: MutualPlan, org=None, days: int = 7,
                   now: datetime.datetime | None = None) -> Publication:
    """Publish the plan's paid claims of ``org``'s subtree on ``org``'s board, one row per unit."""
    org = org or plan.org
    actor.require("aid.review")
    actor.require_covers(plan.org_path)
    actor.require_covers(org.path)
    if not org.path.startswith(plan.org_path):
        raise ValidationError({"org": _("%(p)s does not cover %(o)s.") % {"p": plan.name, "o": org.name}})
    if not isinstance(days, int) or not 1 <= days <= 366:
        raise ValidationError({"days": _("Enter a number of days from 1 to 366.")})
    paid = MutualClaim.objects.filter(plan=plan, org_path__startswith=org.path, state=ClaimState.APPROVED,
                                      grant__state="paid")
    by_unit = list(paid.order_by().values_list("org_path", "org__name").annotate(n=Count("pk"), t=Sum("subsidy"))
                   .order_by("org_path"))
    if not by_unit:
        raise ValidationError(_("No claim of this plan is paid yet: there is nothing to publish."))
    n = sum(r[2] for r in by_unit)
    total = sum((r[3] for r in by_unit), Decimal("0.00"))
    rows = [{_("Unit"): name, _("Subsidies paid (person-times)"): str(count),
             _("Amount (yuan)"): str(amount.quantize(Decimal("0.01")))} for _path, name, count, amount in by_unit]
    now = now or timezone.now()
    return publication_publish(
        actor=actor, kind=KIND, org=org, object_id=plan.pk, now=now, until=now + datetime.timedelta(days=days),
        title=_("%(p)s: medical mutual aid paid in %(o)s") % {"p": str(plan), "o": org.name},
        summary=_("%(n)s subsidies paid, %(t)s yuan in all.") % {"n": n, "t": total.quantize(Decimal("0.01"))},
        rows=rows)


def plan_publications(plan: MutualPlan):
    now = timezone.now()
    return (Publication.objects.filter(kind=KIND, object_id=plan.pk, withdrawn_at__isnull=True)
            .exclude(until__lte=now).select_related("org").order_by("-published_at")[:20])


def claims_withdraw(*, actor, plan: MutualPlan, publication: Publication, reason: str) -> Publication:
    if publication.kind != KIND or publication.object_id != plan.pk:
        raise ValidationError(_("This publication is not of this plan."))
    actor.require("aid.review")
    actor.require_covers(publication.org_path)
    return publication_withdraw(actor=actor, publication=publication, reason=reason)
