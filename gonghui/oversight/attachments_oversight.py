"""Evidence files on measures: the owner kind "oversight.measure" for core's attachments.

Read within the actor's subtree; files are attached by whoever may write oversight while the measure is open, seen by
whoever may view it, and never removed (the evidence a closure was decided on stays with the measure).
``Measure.evidence_count`` follows in the upload's transaction (closure is refused without evidence)."""

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.attachments import register_owner

from .models import Measure, MeasureState


def measure_for_attachments(actor, object_id: str) -> Measure:
    object_id = str(object_id)
    if not actor.is_authenticated or not (object_id.isascii() and object_id.isdigit()) or len(object_id) > 18:
        raise Http404
    measure = (Measure.objects.filter(pk=int(object_id), org_path__startswith=actor.org.path)
               .select_related("org", "problem").first())
    if measure is None:
        raise Http404
    return measure


def _count(measure: Measure, delta: int) -> None:
    from .ledger import evidence_added
    from .models import EventKind, MeasureEvent

    evidence_added(measure, delta)
    if delta > 0:
        MeasureEvent.objects.create(measure=measure, kind=EventKind.EVIDENCE, at=timezone.now())


register_owner(
    "oversight.measure",
    label=_("Rectification measure"),
    resolve=measure_for_attachments,
    org_path=lambda measure: measure.org_path,
    may_attach=lambda actor, measure: actor.can("oversight.write") and measure.state == MeasureState.OPEN,
    may_view=lambda actor, measure: actor.can("oversight.view"),
    deletable=False,
    describe=lambda measure: f"{measure.problem.number} {measure.indicator}",
    url=lambda measure: reverse("oversight:measure", args=[measure.pk]),
    on_count=_count,
)
