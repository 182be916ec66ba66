"""Evidence of a medical mutual aid claim (discharge summary, invoices, the insurance settlement): the owner kind
"aid.mutual_claim" for core's attachments. Attached by the unit while the claim awaits review, seen by whoever may
view the claim within their subtree, never removed once attached (the review was made on them)."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.attachments import register_owner

from .models import ClaimState, MutualClaim


def claim_for_attachments(actor, object_id: str) -> MutualClaim:
    object_id = str(object_id)
    if not actor.is_authenticated or not (object_id.isascii() and object_id.isdigit()) or len(object_id) > 18:
        raise Http404
    claim = MutualClaim.objects.filter(pk=int(object_id), org_path__startswith=actor.org.path).first()
    if claim is None:
        raise Http404
    return claim


register_owner(
    "aid.mutual_claim",
    label=_("Medical mutual aid claim"),
    resolve=claim_for_attachments,
    org_path=lambda c: c.org_path,
    may_attach=lambda actor, c: actor.can("aid.write") and c.state == ClaimState.APPLIED,
    may_view=lambda actor, c: actor.can("aid.view"),
    deletable=False,
    describe=lambda c: _("Claim %(n)s") % {"n": c.pk},
    url=lambda c: reverse("aid:mutual_claim", args=[c.pk]),
)
