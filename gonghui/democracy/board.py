"""A poll's tally on the public board (公开栏): the kind "democracy.tally", one row per subject and criterion with
the count and rate of each grade. Counts only: a board never shows a ballot."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.portal.publications import publication_publish, register_kind

KIND = "democracy.tally"

register_kind(KIND, label=gettext_lazy("Evaluation results (民主评议结果)"))


def tally_publish(*, actor, poll, days: int = 30):
    if not isinstance(days, int) or not 1 <= days <= 366:
        raise ValidationError({"days": _("Enter a number of days from 1 to 366.")})
    result = poll.result
    rows = []
    for s in result["subjects"]:
        for c in s["criteria"]:
            row = {_("Subject"): f"{s['name']} {s['role']}".strip(), _("Criterion"): c["criterion"]}
            for grade, n, r in zip(result["grades"], c["counts"], c["rates"], strict=True):
                row[grade] = f"{n}（{r}%）"
            rows.append(row)
    now = timezone.now()
    turnout = result["turnout"] if result["turnout"] is not None else "—"
    return publication_publish(
        actor=actor, kind=KIND, org=poll.org, object_id=poll.pk, now=now, until=now + datetime.timedelta(days=days),
        title=poll.title,
        summary=_("%(b)s ballots of %(e)s voters (turnout %(t)s%%); %(v)s.") % {
            "b": result["ballots"], "e": result["electorate"], "t": turnout,
            "v": _("valid") if result["valid"] else _("not valid: turnout below the rule")},
        rows=rows)
