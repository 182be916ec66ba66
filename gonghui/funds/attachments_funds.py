"""Vouchers take attachments (invoices, receipts, minutes): the owner kind "funds.voucher" for core's attachments.

A voucher is read within the actor's subtree (its union's path); files are added by whoever may write the books and
seen by whoever may view them; a posted voucher's files are never removed (a voucher is changed only by a reversing
voucher, and its papers stay with it). ``Voucher.attachment_count`` follows with F() in the upload's transaction.
Imported by FundsConfig.ready."""

from urllib.parse import urlencode

from django.db.models import F
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.attachments import register_owner

from .models import Voucher


def voucher_for_attachments(actor, object_id: str) -> Voucher:
    object_id = str(object_id)
    if not actor.is_authenticated or not (object_id.isascii() and object_id.isdigit()) or len(object_id) > 18:
        raise Http404
    voucher = (Voucher.objects.filter(pk=int(object_id), org_path__startswith=actor.org.path)
               .select_related("org").first())
    if voucher is None:
        raise Http404
    return voucher


def _describe(voucher: Voucher) -> str:
    return f"{voucher.org.name} {voucher.year} {voucher.display_number}"


def _url(voucher: Voucher) -> str:
    """The voucher's own page (the books part's), when the project has it."""
    try:
        url = reverse("funds:voucher_detail", args=[voucher.org.code, voucher.year, voucher.number])
    except NoReverseMatch:
        return ""
    return url if voucher.word == "记" else url + "?" + urlencode({"word": voucher.word})


def _count(voucher: Voucher, delta: int) -> None:
    Voucher.objects.filter(pk=voucher.pk).update(attachment_count=F("attachment_count") + delta)


register_owner(
    "funds.voucher",
    label=_("Voucher"),
    resolve=voucher_for_attachments,
    org_path=lambda voucher: voucher.org_path,
    may_attach=lambda actor, voucher: actor.can("funds.write"),
    may_view=lambda actor, voucher: actor.can("funds.view"),
    deletable=False,
    describe=_describe,
    url=_url,
    on_count=_count,
)
