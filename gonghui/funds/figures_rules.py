"""Funds figures: rules. ``funds.alerts``: alerts raised in the period in the subtree, by rule (智能监控 自动预警);
``funds.alerts_confirmed``: those of the period confirmed as problems (and since rectified). Both are one GROUP BY /
COUNT over the alerts' (org_path, state, created_at) index."""

import datetime

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from gonghui.core.figures import figure

from .models import Alert, AlertState, RuleKey

GROUP = _("Union funds")


def _raised(org, period):
    start = datetime.datetime.combine(period.start, datetime.time.min)
    end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min)
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    return Alert.objects.filter(org_path__startswith=org.path, created_at__gte=start.replace(tzinfo=tz),
                                created_at__lt=end.replace(tzinfo=tz))


@figure("funds.alerts", label=_("Alerts raised by the funds monitoring"), unit=_("items"), group=GROUP,
        breakdown=True, chart="bar", perm="funds.view")
def alerts_by_rule(org, period):
    labels = dict(RuleKey.choices)
    rows = _raised(org, period).order_by().values("rule").annotate(n=Count("pk")).order_by("-n", "rule")
    return [(str(labels.get(r["rule"], r["rule"])), r["n"]) for r in rows]


@figure("funds.alerts_confirmed", label=_("Alerts confirmed as problems"), unit=_("items"), group=GROUP,
        perm="funds.view")
def alerts_confirmed(org, period):
    return _raised(org, period).filter(state__in=[AlertState.CONFIRMED, AlertState.RECTIFIED]).count()
