"""Paths kept on casework rows follow their unit when a subtree moves."""

from django.dispatch import receiver

from gonghui.members.signals import rewrite_prefix
from gonghui.orgs.signals import subtree_moved

from . import stats
from .models import Case, CaseAlert, CoHandler, Intake, OpenStat


@receiver(subtree_moved)
def _rewrite_paths(sender, old_path: str, new_path: str, **kwargs):
    rewrite_prefix(Case, "org_path", old_path, new_path)
    rewrite_prefix(Case, "intake_path", old_path, new_path)
    rewrite_prefix(Intake, "org_path", old_path, new_path)
    rewrite_prefix(CoHandler, "org_path", old_path, new_path)
    rewrite_prefix(CaseAlert, "org_path", old_path, new_path)
    stats.subtree_moved(old_path, new_path)
    OpenStat.objects.all().delete()  # the figures count the cases until the next sweep
