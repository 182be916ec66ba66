"""Audit labels of the funds actions: books (vouchers, reversals, sub-accounts, opening balances, the year-end
carry-forward, chart loading)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import DisplayedObject, choices, register, register_group, register_object_type

from .models import VoucherSource


def _vouchers(actor, ids: list[str]) -> dict[str, DisplayedObject]:
    """Vouchers in the actor's scope, shown as 东湖机械厂工会 2026 记-0001 with a link."""
    from .models import Voucher

    if actor.org is None or not actor.can("funds.view"):
        return {}
    pks = [int(i) for i in ids if str(i).isdigit()]
    rows = (Voucher.objects.filter(pk__in=pks, org_path__startswith=actor.org.path).select_related("org"))
    out = {}
    for v in rows:
        args = [v.org.code, v.year, v.number]
        url = reverse("funds:voucher_detail", args=args) + ("" if v.word == "记" else f"?word={v.word}")
        out[str(v.pk)] = DisplayedObject(f"{v.org.name} {v.year} {v.display_number}", url)
    return out


G = "funds"
register_group(G, _("Union funds"))
register_object_type("funds.voucher", _("Voucher"), _vouchers)
register_object_type("funds.account", _("Account"))
register_object_type("funds.book", _("Books"))
register_object_type("funds.chart", _("Chart of accounts"))

register("funds.voucher_post", _("Voucher posted"), group=G, object_type="funds.voucher", details={
    "voucher": _("Voucher number"), "year": _("Year"), "amount": _("Amount"),
    "source": (_("Source"), choices(VoucherSource))})
register("funds.voucher_reverse", _("Voucher reversed (red ink)"), group=G, object_type="funds.voucher", details={
    "voucher": _("Voucher number"), "reversal": _("Reversing voucher"), "reason": _("Reason")})
register("funds.account_add", _("Sub-account added"), group=G, object_type="funds.account", details={
    "account": _("Account"), "code": _("Account code")})
register("funds.openings_set", _("Opening balances entered"), group=G, object_type="funds.book", details={
    "year": _("Year"), "accounts": _("Accounts"), "amount": _("Amount")})
register("funds.year_close", _("Year closed and carried forward"), group=G, object_type="funds.book", details={
    "year": _("Year"), "surplus": _("Surplus for the year"), "accounts": _("Accounts carried"),
    "vouchers": _("Vouchers")})
register("funds.chart_load", _("Chart of accounts loaded"), group=G, object_type="funds.chart", details={
    "chart": _("Chart of accounts"), "year": _("In force from year"), "accounts": _("Accounts"),
    "file": _("File"), "problems": _("Problems found")})
