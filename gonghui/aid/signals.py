"""Paths kept on assistance rows follow their unit when a subtree moves; the pre-aggregated figures too."""

from django.dispatch import receiver

from gonghui.members.signals import rewrite_prefix
from gonghui.orgs.signals import subtree_moved

from . import stats
from .models import (
    AidVisit,
    Donation,
    Drive,
    DriveUnit,
    Grant,
    Household,
    MutualClaim,
    MutualEnrolment,
    MutualPlan,
    Nomination,
    PaymentBatch,
    Program,
    Quota,
    Scheme,
    Trip,
)


@receiver(subtree_moved)
def _rewrite_paths(sender, old_path: str, new_path: str, **kwargs):
    for model in (Household, Program, Grant, PaymentBatch, AidVisit, MutualPlan, MutualEnrolment, MutualClaim, Drive,
                  DriveUnit, Donation, Scheme, Quota, Trip, Nomination):
        rewrite_prefix(model, "org_path", old_path, new_path)
    stats.subtree_moved(old_path, new_path)
