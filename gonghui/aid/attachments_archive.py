"""Evidence files of a hardship file (income proof, diagnosis, disability certificate): the owner kind
"aid.household" for core's attachments. Attached by the union while the file is a draft or returned, seen by whoever
may view the archive within their subtree, never removed once applied for."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.attachments import register_owner

from .models import Household, HouseholdState


def household_for_attachments(actor, object_id: str) -> Household:
    object_id = str(object_id)
    if not actor.is_authenticated or not (object_id.isascii() and object_id.isdigit()) or len(object_id) > 18:
        raise Http404
    household = Household.objects.filter(pk=int(object_id), org_path__startswith=actor.org.path).first()
    if household is None:
        raise Http404
    return household


register_owner(
    "aid.household",
    label=_("Hardship household"),
    resolve=household_for_attachments,
    org_path=lambda h: h.org_path,
    may_attach=lambda actor, h: actor.can("aid.write") and h.state in (HouseholdState.DRAFT,
                                                                        HouseholdState.RETURNED),
    may_view=lambda actor, h: actor.can("aid.view"),
    deletable=False,
    describe=lambda h: h.name_masked,
    url=lambda h: reverse("aid:household", args=[h.pk]),
)
