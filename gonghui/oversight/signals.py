"""The org paths copied onto oversight rows follow their unit when a subtree moves: one UPDATE per column."""

from django.apps import apps
from django.dispatch import receiver

from gonghui.members.signals import rewrite_prefix
from gonghui.orgs.signals import subtree_moved


def path_columns() -> list[tuple[type, str]]:
    """Every (model, column) of this app holding an org's materialized path (a column named ``*_path``)."""
    return [(model, f.name) for model in apps.get_app_config("oversight").get_models()
            for f in model._meta.concrete_fields if f.name.endswith("_path")]


@receiver(subtree_moved)
def _rewrite_paths(sender, old_path: str, new_path: str, **kwargs):
    for model, column in path_columns():
        rewrite_prefix(model, column, old_path, new_path)
