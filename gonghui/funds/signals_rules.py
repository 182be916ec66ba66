"""The rule engine's receivers: a reversal closes the alerts it clears; a journal import is scanned (the journal
part sends ``journal_imported``). Paths follow a moved subtree through ``funds.signals``."""

from django.db import transaction
from django.dispatch import receiver

from .books import voucher_reversed


@receiver(voucher_reversed)
def _close_reversed(sender, voucher, reversal=None, **kwargs):
    from .rules import close_reversed

    close_reversed([voucher.pk])


def _after_import(sender, org, year, first_line_id=None, last_line_id=None, **kwargs):
    from .rules import scan_after_import

    transaction.on_commit(lambda: scan_after_import(org, year, first_line_id, last_line_id))


def connect_journal() -> None:
    """Connect to the journal part's signal when that part is there (it is built alongside this one)."""
    try:
        from . import journal
    except ImportError:
        return
    signal = getattr(journal, "journal_imported", None)
    if signal is not None:
        signal.connect(_after_import, dispatch_uid="funds_rules_after_import")


connect_journal()
