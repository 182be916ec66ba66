"""Key-task figures (FIGURES.md, oversight.key_tasks): the subtree's key tasks of the year in force at the period's
end (重点工作, 办实事, 重点民生事项: on the list by then), and of those the ones done by then, by kind.

A unit's year list holds tens of tasks, so the figure counts the rows (an index on (org_path, year, kind) serves
it); no stat table is needed."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.figures import figure

from .models import KeyTask, TaskKind

GROUP = gettext_lazy("Supervision")


def counts(org, period) -> dict[str, tuple[int, int]]:
    """kind -> (tasks on the list at period end, of which done by then)."""
    end = period.end
    rows = (KeyTask.objects.filter(org_path__startswith=org.path, year=end.year, created_at__date__lte=end)
            .order_by().values("kind").annotate(n=Count("pk"), done=Count("pk", filter=Q(done_on__lte=end))))
    return {r["kind"]: (r["n"], r["done"]) for r in rows}


@figure("oversight.key_tasks", label=gettext_lazy("Key tasks and practical matters (done)"),
        unit=gettext_lazy("items"), group=GROUP, breakdown=True, chart="bar")
def key_tasks(org, period):
    by_kind = counts(org, period)
    out = []
    for kind, label in TaskKind.choices:
        n, done = by_kind.get(kind, (0, 0))
        if n:
            out += [(str(label), n), (_("%(kind)s: done") % {"kind": label}, done)]
    return out
