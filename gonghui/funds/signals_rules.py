"""The rule engine's receivers: a reversal closes the alerts it clears; a moved subtree keeps its alerts and settings
under the new path; a journal import is scanned (the journal part sends ``journal_imported``)."""

from django.db import transaction
from django.dispatch import receiver

from gonghui.orgs.signals import subtree_moved

from .books import voucher_reversed


@receiver(voucher_reversed)
def _close_reversed(sender, voucher, reversal=None, **kwargs):
    from .rules import close_reversed

    close_reversed([voucher.pk])


@receiver(subtree_moved)
def _rewrite_paths(sender, old_path: str, new_path: str, **kwargs):
    from gonghui.members.signals import rewrite_prefix

    from .models import Alert, CustomRule, HolidayGiftCap, RuleSettings

    for model in (Alert, CustomRule, HolidayGiftCap, RuleSettings):
        rewrite_prefix(model, "org_path", old_path, new_path)


def _after_import(sender, org, year, first_id=None, last_id=None, **kwargs):
    from .rules import scan_after_import

    transaction.on_commit(lambda: scan_after_import(org, year, first_id, last_id))


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
