"""The org paths copied onto funds rows (books, vouchers and their lines, budgets, decisions, suppliers, dues,
allocations, returns, audits, alerts) follow their union when a subtree moves: one UPDATE per column."""

from django.apps import apps
from django.dispatch import receiver

from gonghui.members.signals import rewrite_prefix
from gonghui.orgs.signals import subtree_moved


def path_columns() -> list[tuple[type, str]]:
    """Every (model, column) of this app holding an org's materialized path (``org_path``, ``payer_path`` ...);
    an account's ``path`` is its name path, not an org's."""
    return [(model, f.name) for model in apps.get_app_config("funds").get_models()
            for f in model._meta.concrete_fields if f.name.endswith("_path")]


@receiver(subtree_moved)
def _rewrite_paths(sender, old_path: str, new_path: str, **kwargs):
    for model, column in path_columns():
        rewrite_prefix(model, column, old_path, new_path)
