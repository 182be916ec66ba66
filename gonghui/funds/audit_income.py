"""Audit labels of the funds actions: income (dues, allocations, shares) and fund returns."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import choices, register, register_group, register_object_type

from .models import Channel

G = "funds"
register_group(G, _("Funds"))
register_object_type("funds.dues", _("Monthly dues"))
register_object_type("funds.allocation", _("Allocation"))
register_object_type("funds.shares", _("Allocation shares"))
register_object_type("funds.return", _("Fund return"))

_DETAILS = {
    "period": _("Period"), "members": _("Members on the roster"), "wage_base": _("Wage base"), "due": _("Due"),
    "created": _("New record"), "amount": _("Amount"), "voucher": _("Voucher"), "date": _("Date"),
    "payroll": _("Declared payroll"), "channel": (_("Channel"), choices(Channel)),
    "collector": _("Collecting federation"), "grassroots": _("Grassroots union's part"),
    "effective_on": _("In force from"), "county": _("County federation (%)"), "city": _("City federation (%)"),
    "province": _("Provincial federation (%)"), "national": _("National federation (%)"),
    "receipt": _("Receipt number"), "union": _("Union owed"), "receipt_on": _("Receipt received on"),
    "paid_on": _("Paid on"), "late": _("Paid late"), "union_voucher": _("Union's voucher"),
    "note": _("Supervision note"), "checked": _("Returns checked"), "blue": _("Due soon"), "red": _("Overdue"),
    "recolored": _("Colors changed"), "kind": _("Kind of file"), "rows": _("Rows imported"),
    "reminders": _("Reminders sent"), "escalations": _("Escalations"),
}
_SHARES = {**_DETAILS, "grassroots": _("Grassroots union (%)")}

register("funds.dues_set", _("Dues wage base entered"), group=G, object_type="funds.dues", details=_DETAILS)
register("funds.dues_collect", _("Dues collected"), group=G, object_type="funds.dues", details=_DETAILS)
register("funds.allocation_declare", _("Allocation payroll declared"), group=G, object_type="funds.allocation",
         details=_DETAILS)
register("funds.allocation_receive", _("Allocation received"), group=G, object_type="funds.allocation",
         details=_DETAILS)
register("funds.shares_add", _("Allocation shares set"), group=G, object_type="funds.shares", details=_SHARES)
register("funds.return_receipt", _("Return receipt recorded"), group=G, object_type="funds.return",
         details=_DETAILS)
register("funds.return_pay", _("Fund return paid"), group=G, object_type="funds.return", details=_DETAILS)
register("funds.return_supervise", _("Overdue return supervised"), group=G, object_type="funds.return",
         details=_DETAILS)
register("funds.income_import", _("Payroll declarations or dues imported"), group=G, details=_DETAILS)
register("funds.returns_tick", _("Fund return sweep"), group=G, object_type="funds.return", details=_DETAILS)
