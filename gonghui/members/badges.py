"""The menu's counts for the members' inboxes: open items only, each count one range scan of a partial index that
holds the open rows alone (so it stays small however long the subtree's history grows)."""

from gonghui.core.menu import count_badge

from .models import ApplicationStatus, JoinApplication, Transfer, TransferStatus


def _acting(actor) -> bool:
    return actor.org is not None and actor.can("member.write")


@count_badge
def applications_pending(actor):
    """Join applications waiting for a decision in the actor's subtree (index members_app_pending)."""
    if not _acting(actor):
        return None
    return [JoinApplication.objects.filter(status=ApplicationStatus.PENDING, org_path__startswith=actor.org.path)]


@count_badge
def transfers_to_act_on(actor):
    """Transfers waiting for the actor's subtree: requested ones its unions must release (as the origin), released
    ones its unions must accept (as the destination). Indexes members_transfer_requested / _released."""
    if not _acting(actor):
        return None
    p = actor.org.path
    return [Transfer.objects.filter(status=TransferStatus.REQUESTED, from_path__startswith=p),
            Transfer.objects.filter(status=TransferStatus.RELEASED, to_path__startswith=p)]
