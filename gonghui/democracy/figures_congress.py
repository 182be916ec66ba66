"""The ``democracy.*`` figures of FIGURES.md that come from the workers' congresses:

- democracy.congress_sessions: the sessions of the subtree's congresses held in the period (职代会(教代会)召开, 次);
- democracy.proposals, a breakdown: proposals received (submitted in the period), accepted (立案), turned into
  opinions and declined (decided in the period), and answered (in the period) (件).

Each is one query on the rows' org_path prefix (indexed) and the period's days."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.figures import figure

from .models import Proposal, ProposalState, Session

GROUP = gettext_lazy("Democracy")


@figure("democracy.congress_sessions", label=gettext_lazy("Workers' (teachers') congress sessions held"),
        unit=gettext_lazy("times (次)"), group=GROUP)
def congress_sessions(org, period):
    return Session.objects.filter(org_path__startswith=org.path, held_on__gte=period.start,
                                  held_on__lte=period.end).count()


@figure("democracy.proposals", label=gettext_lazy("Congress proposals (提案)"), unit=gettext_lazy("items (件)"),
        group=GROUP, breakdown=True, chart="bar")
def proposals(org, period):
    start, end = period.start, period.end
    received = Q(submitted_on__gte=start, submitted_on__lte=end)
    decided = Q(decided_on__gte=start, decided_on__lte=end)
    answered = Q(answered_on__gte=start, answered_on__lte=end)
    # A proposal accepted in the period stays counted as accepted whatever happened to it since.
    accepted = decided & ~Q(state__in=[ProposalState.SUBMITTED, ProposalState.CONVERTED, ProposalState.DECLINED])
    c = Proposal.objects.filter(Q(org_path__startswith=org.path) & (received | decided | answered)).aggregate(
        received=Count("pk", filter=received), accepted=Count("pk", filter=accepted),
        converted=Count("pk", filter=decided & Q(state=ProposalState.CONVERTED)),
        declined=Count("pk", filter=decided & Q(state=ProposalState.DECLINED)),
        answered=Count("pk", filter=answered))
    return [(_("Proposals received"), c["received"]), (_("Proposals accepted (立案)"), c["accepted"]),
            (_("Proposals turned into opinions"), c["converted"]), (_("Proposals declined"), c["declined"]),
            (_("Proposals answered"), c["answered"])]
