"""The org paths copied onto supervision items follow their unit when a subtree moves (one UPDATE per column)."""

from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.dispatch import receiver

from gonghui.orgs.signals import subtree_moved

from .models import SupervisionItem


@receiver(subtree_moved)
def _rewrite_paths(sender, old_path: str, new_path: str, **kwargs):
    for column in ("holder_path", "told_path"):
        SupervisionItem.objects.filter(**{f"{column}__startswith": old_path}).update(
            **{column: Concat(Value(new_path), Substr(F(column), len(old_path) + 1))})
