"""The grants of a program on the public board (公开栏, issue 14 §5): the kind "aid.grants", published from the
program page by a reviewer of the paying union: each paid (optionally also approved) grant of the program for its
period, in a unit's subtree, with the recipient's name masked (张*三), the unit and the amount. Publishing and
withdrawing go through gonghui.portal.publications, which audits both; the board shows it like any other kind."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.portal.models import Publication
from gonghui.portal.publications import publication_publish, publication_withdraw, register_kind

from .archive import mask_name
from .models import Grant, GrantState, Program

KIND = "aid.grants"
MAX_ROWS = 2000  # a board lists every row: a larger program is published unit by unit

register_kind(KIND, label=gettext_lazy("Assistance grants (帮扶资金发放公示)"))


def _check(actor, program: Program, org) -> None:
    actor.require("aid.review")
    actor.require_covers(program.org_path)
    actor.require_covers(org.path)
    if not org.path.startswith(program.org_path):
        raise ValidationError({"org": _("This program does not pay members of %(org)s.") % {"org": org.name}})


def grants_publish(*, actor, program: Program, org=None, days: int = 7, include_approved: bool = False,
                   now: datetime.datetime | None = None) -> Publication:
    """Publish the program's paid (and, if asked, approved) grants of ``org``'s subtree on ``org``'s board."""
    org = org or program.org
    _check(actor, program, org)
    if not isinstance(days, int) or not 1 <= days <= 366:
        raise ValidationError({"days": _("Enter a number of days from 1 to 366.")})
    states = [GrantState.PAID, GrantState.APPROVED] if include_approved else [GrantState.PAID]
    grants = Grant.objects.filter(program=program, org_path__startswith=org.path, state__in=states)
    n = grants.count()
    if not n:
        raise ValidationError(_("No grant of this program is paid yet: there is nothing to publish."))
    if n > MAX_ROWS:
        raise ValidationError(_("%(n)s grants are too many for one board (at most %(m)s): publish them unit by "
                                "unit.") % {"n": n, "m": MAX_ROWS})
    total = grants.aggregate(t=Sum("amount"))["t"]
    labels = dict(GrantState.choices)
    rows = [{_("Name"): mask_name(name), _("Unit"): unit, _("Amount (yuan)"): str(amount),
             _("State"): str(labels[state])}
            for name, unit, amount, state in grants.order_by("org_path", "pk").values_list(
                "person__name", "org__name", "amount", "state")]
    now = now or timezone.now()
    return publication_publish(
        actor=actor, kind=KIND, org=org, object_id=program.pk, now=now,
        until=now + datetime.timedelta(days=days),
        title=_("%(p)s (%(k)s): grants of %(o)s") % {"p": program.name, "k": program.period_key, "o": org.name},
        summary=_("%(n)s grants, %(t)s yuan in all.") % {"n": n, "t": total.quantize(Decimal("0.01"))},
        rows=rows)


def program_publications(program: Program):
    """The program's grant publications still on a board (the program page lists them to withdraw)."""
    now = timezone.now()
    return (Publication.objects.filter(kind=KIND, object_id=program.pk, withdrawn_at__isnull=True)
            .exclude(until__lte=now).select_related("org").order_by("-published_at")[:20])


def grants_withdraw(*, actor, program: Program, publication: Publication, reason: str) -> Publication:
    if publication.kind != KIND or publication.object_id != program.pk:
        raise ValidationError(_("This publication is not of this program."))
    actor.require("aid.review")
    actor.require_covers(publication.org_path)
    return publication_withdraw(actor=actor, publication=publication, reason=reason)
