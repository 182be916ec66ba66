"""A poll's tree path follows its union when a subtree moves."""

from django.dispatch import receiver

from gonghui.members.signals import rewrite_prefix
from gonghui.orgs.signals import subtree_moved

from .models import Poll


@receiver(subtree_moved)
def _rewrite_paths(sender, old_path: str, new_path: str, **kwargs):
    rewrite_prefix(Poll, "org_path", old_path, new_path)


@receiver(subtree_moved)
def _rewrite_survey_paths(sender, old_path: str, new_path: str, **kwargs):
    from .models import Survey, SurveyResponse

    rewrite_prefix(Survey, "org_path", old_path, new_path)
    rewrite_prefix(SurveyResponse, "org_path", old_path, new_path)
def _rewrite_congress_paths(sender, old_path: str, new_path: str, **kwargs):
    from .models import Congress, Disclosure, Proposal, Session

    for model in (Congress, Session, Proposal, Disclosure):
        rewrite_prefix(model, "org_path", old_path, new_path)
