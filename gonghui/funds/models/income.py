"""Income the union is owed: fund returns (返拨) from the federation, due 5 working days after the receipt."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .books import MONEY

# Working days from the receipt (经费划拨收据) to the return being paid (seed 002).
RETURN_DAYS = 5


class ReturnState(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")


class FundReturn(models.Model):
    """A return of tax-collected allocation: the federation ``payer`` owes ``union`` ``amount`` once the union's
    receipt has arrived (``receipt_on``); it is due ``RETURN_DAYS`` working days later."""

    payer = models.ForeignKey("orgs.Org", verbose_name=_("paying federation"), on_delete=models.PROTECT,
                              related_name="+")
    payer_path = models.CharField(max_length=255, db_index=True, editable=False)
    union = models.ForeignKey("orgs.Org", verbose_name=_("union owed"), on_delete=models.PROTECT, related_name="+")
    union_path = models.CharField(max_length=255, db_index=True, editable=False)
    amount = models.DecimalField(_("amount"), **MONEY)
    receipt_no = models.CharField(_("receipt number"), max_length=40)
    receipt_on = models.DateField(_("receipt received on"))
    due_on = models.DateField(_("due on"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=ReturnState.choices, default=ReturnState.PENDING)
    voucher = models.ForeignKey("funds.Voucher", verbose_name=_("payment voucher"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("fund return")
        verbose_name_plural = _("fund returns")
        constraints = [models.UniqueConstraint(fields=["payer", "receipt_no"], name="funds_return_receipt")]
        indexes = [models.Index(fields=["state", "due_on"], name="funds_return_open_due")]

    def __str__(self) -> str:
        return f"{self.receipt_no} {self.amount}"
