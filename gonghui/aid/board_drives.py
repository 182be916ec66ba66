"""A donation drive's totals on the public board (公开栏, issue §5): the kind "aid.drive_totals", published from the
drive page by a reviewer of the organiser: each unit with its donors and amount, and the drive's totals. No donor
is named (named donations are only counted in their unit's figures)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.portal.models import Publication
from gonghui.portal.publications import publication_publish, publication_withdraw, register_kind

from .models import Drive, DriveUnit

KIND = "aid.drive_totals"
MAX_ROWS = 2000

register_kind(KIND, label=gettext_lazy("Donation drive totals (捐款公示)"))


def totals_publish(*, actor, drive: Drive, days: int = 15, now: datetime.datetime | None = None) -> Publication:
    actor.require("aid.review")
    actor.require_covers(drive.org_path)
    if not isinstance(days, int) or not 1 <= days <= 366:
        raise ValidationError({"days": _("Enter a number of days from 1 to 366.")})
    units = DriveUnit.objects.filter(drive=drive, donors__gt=0)
    n = units.count()
    if not n:
        raise ValidationError(_("No unit has given yet: there is nothing to publish."))
    if n > MAX_ROWS:
        raise ValidationError(_("%(n)s units are too many for one board (at most %(m)s).") % {"n": n, "m": MAX_ROWS})
    drive = Drive.objects.get(pk=drive.pk)
    rows = [{_("Unit"): name, _("Donors"): str(donors), _("Amount (yuan)"): str(amount)}
            for name, donors, amount in units.order_by("org_path").values_list("org__name", "donors", "amount")]
    now = now or timezone.now()
    return publication_publish(
        actor=actor, kind=KIND, org=drive.org, object_id=drive.pk, now=now,
        until=now + datetime.timedelta(days=days),
        title=_("%(d)s (%(day)s): donations by unit") % {"d": drive.name, "day": f"{drive.day:%Y-%m-%d}"},
        summary=_("%(u)s units, %(n)s donors, %(t)s yuan in all.") % {"u": drive.units, "n": drive.donors,
                                                                      "t": drive.total},
        rows=rows)


def drive_publications(drive: Drive):
    now = timezone.now()
    return (Publication.objects.filter(kind=KIND, object_id=drive.pk, withdrawn_at__isnull=True)
            .exclude(until__lte=now).select_related("org").order_by("-published_at")[:20])


def totals_withdraw(*, actor, drive: Drive, publication: Publication, reason: str) -> Publication:
    if publication.kind != KIND or publication.object_id != drive.pk:
        raise ValidationError(_("This publication is not of this drive."))
    actor.require("aid.review")
    actor.require_covers(publication.org_path)
    return publication_withdraw(actor=actor, publication=publication, reason=reason)
