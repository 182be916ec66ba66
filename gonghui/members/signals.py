from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.dispatch import receiver

from gonghui.orgs.signals import subtree_moved

from .models import JoinApplication, Membership, ServiceCard, Transfer


def rewrite_prefix(model, field: str, old_path: str, new_path: str) -> int:
    """Replace the ``old_path`` prefix by ``new_path`` in ``field`` of every row under it, in one UPDATE."""
    return model.objects.filter(**{f"{field}__startswith": old_path}).update(
        **{field: Concat(Value(new_path), Substr(F(field), len(old_path) + 1))})


@receiver(subtree_moved)
def _rewrite_paths(sender, old_path: str, new_path: str, **kwargs):
    rewrite_prefix(Membership, "org_path", old_path, new_path)
    rewrite_prefix(JoinApplication, "org_path", old_path, new_path)
    rewrite_prefix(ServiceCard, "org_path", old_path, new_path)
    rewrite_prefix(Transfer, "from_path", old_path, new_path)
    rewrite_prefix(Transfer, "to_path", old_path, new_path)
