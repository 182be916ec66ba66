"""The tree paths kept on attachments follow their unit when a subtree moves (``orgs.signals.subtree_moved``),
so a moved union's files are scoped like the union itself."""

from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.dispatch import receiver

from gonghui.orgs.signals import subtree_moved

from ..models import Attachment


@receiver(subtree_moved, dispatch_uid="core.attachments.paths")
def _rewrite_paths(sender, old_path: str, new_path: str, **kwargs):
    for field in ("org_path", "uploader_path"):
        Attachment.objects.filter(**{f"{field}__startswith": old_path}).update(
            **{field: Concat(Value(new_path), Substr(F(field), len(old_path) + 1))})
