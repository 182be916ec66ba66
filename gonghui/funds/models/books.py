"""The books (独立建账): a versioned chart of accounts, one book per union and calendar year, vouchers and their
lines. A posted voucher is never edited: a reversing voucher (红字冲销) cancels it, and both are then ``voided``
for the rule engine while the ledgers keep them (they net to zero)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 2}


class AccountKind(models.TextChoices):
    ASSET = "asset", _("Assets")
    LIABILITY = "liability", _("Liabilities")
    NET_ASSET = "net_asset", _("Net assets")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expenditure")


# Kinds whose balance is on the debit side; the others sit on the credit side.
DEBIT_KINDS = (AccountKind.ASSET, AccountKind.EXPENSE)


class ChartVersion(models.Model):
    """A chart of accounts (会计科目表): the 2009 工会会计制度 ships; a federation may load a revision."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    effective_year = models.PositiveSmallIntegerField(_("in force from year"))
    loaded_by = models.ForeignKey("orgs.Org", verbose_name=_("loaded by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("chart of accounts")
        verbose_name_plural = _("charts of accounts")
        ordering = ["effective_year", "code"]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """An account of a chart. ``org`` is empty for the chart's own accounts and names the union for a sub-account
    that union added. ``path`` is the names from the first level down joined by "-" (职工活动支出-节日慰问)."""

    chart = models.ForeignKey(ChartVersion, verbose_name=_("chart of accounts"), on_delete=models.CASCADE,
                              related_name="accounts")
    org = models.ForeignKey("orgs.Org", verbose_name=_("union"), null=True, blank=True, on_delete=models.CASCADE,
                            related_name="+")
    parent = models.ForeignKey("self", verbose_name=_("parent account"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    code = models.CharField(_("account code"), max_length=24, blank=True)
    name = models.CharField(_("account name"), max_length=60)
    path = models.CharField(_("account"), max_length=240)
    kind = models.CharField(_("category"), max_length=12, choices=AccountKind.choices)
    depth = models.PositiveSmallIntegerField(_("level"), default=1)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["chart", "code", "path"]
        constraints = [
            models.UniqueConstraint(fields=["chart", "path"], condition=Q(org__isnull=True),
                                    name="funds_account_chart_path"),
            models.UniqueConstraint(fields=["chart", "org", "path"], condition=Q(org__isnull=False),
                                    name="funds_account_union_path"),
            models.UniqueConstraint(fields=["chart", "code"], condition=Q(org__isnull=True) & ~Q(code=""),
                                    name="funds_account_chart_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.path}" if self.code else self.path

    @property
    def debit_side(self) -> bool:
        return self.kind in DEBIT_KINDS


class Book(models.Model):
    """One union's books for one calendar year. Posting locks this row (``select_for_update``): voucher numbers
    are handed out in order and a voucher is posted whole or not at all."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed (carried forward)")

    org = models.ForeignKey("orgs.Org", verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    chart = models.ForeignKey(ChartVersion, verbose_name=_("chart of accounts"), on_delete=models.PROTECT,
                              related_name="+")
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    next_number = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("books")
        verbose_name_plural = _("books")
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="funds_book_org_year")]

    def __str__(self) -> str:
        return f"{self.org} {self.year}"


class OpeningBalance(models.Model):
    """An account's balance at the start of a book's year: entered for a union's first year in the platform,
    carried forward from the closed year after."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="openings")
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+")
    debit = models.DecimalField(_("debit"), **MONEY, default=0)
    credit = models.DecimalField(_("credit"), **MONEY, default=0)

    class Meta:
        verbose_name = _("opening balance")
        verbose_name_plural = _("opening balances")
        constraints = [models.UniqueConstraint(fields=["book", "account"], name="funds_opening_book_account")]

    def __str__(self) -> str:
        return f"{self.account} {self.debit or self.credit}"


class VoucherSource(models.TextChoices):
    MANUAL = "manual", _("Entered on screen")
    IMPORT = "import", _("Imported journal")
    PAYMENT = "payment", _("Payment from another module")
    REVERSAL = "reversal", _("Reversing voucher")
    CARRY = "carry", _("Year-end carry-forward")


class PayMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK = "bank", _("Bank")
    OTHER = "", _("Other")


class Voucher(models.Model):
    """A 记账凭证, posted whole. Its number is unique in the union's year; it shows as 记-0001."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="vouchers")
    org = models.ForeignKey("orgs.Org", verbose_name=_("union"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    word = models.CharField(_("voucher type"), max_length=4, default="记")
    number = models.PositiveIntegerField(_("voucher number"))
    date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=10, choices=VoucherSource.choices,
                              default=VoucherSource.MANUAL)
    source_ref = models.CharField(_("source reference"), max_length=80, blank=True)
    reverses = models.OneToOneField("self", verbose_name=_("reverses"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reversed_by")
    reversal_reason = models.CharField(_("reason for reversal"), max_length=200, blank=True)
    total = models.DecimalField(_("amount"), **MONEY)
    attachment_count = models.PositiveSmallIntegerField(_("attachments"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("posted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        constraints = [
            models.UniqueConstraint(fields=["book", "word", "number"], name="funds_voucher_number"),
        ]
        indexes = [models.Index(fields=["book", "date", "number"], name="funds_voucher_book_date")]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.word}-{self.number:04d}"


class VoucherLine(models.Model):
    """A line of a voucher: one account, debit or credit. The union's path, the date and the account's category
    are copied here so the rule engine reads one table with index range scans."""

    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="lines")
    org_path = models.CharField(max_length=255, editable=False)
    date = models.DateField(_("date"))
    line_no = models.PositiveSmallIntegerField(_("line"))
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=AccountKind.choices, editable=False)
    summary = models.CharField(_("summary"), max_length=200)
    debit = models.DecimalField(_("debit"), **MONEY, default=0)
    credit = models.DecimalField(_("credit"), **MONEY, default=0)
    counterparty = models.CharField(_("counterparty"), max_length=100, blank=True)
    invoice_code = models.CharField(_("invoice code"), max_length=12, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=20, blank=True)
    decision_ref = models.CharField(_("collective decision reference"), max_length=60, blank=True)
    decision = models.ForeignKey("funds.Decision", verbose_name=_("collective decision"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="lines")
    # How the voucher paid: cash when one of its credits is on 库存现金, bank when on 银行存款.
    pay_method = models.CharField(_("payment method"), max_length=4, choices=PayMethod.choices, blank=True,
                                  default="")
    # Set on both a reversed voucher's lines and its reversal's: the rules skip them, the ledgers keep them.
    voided = models.BooleanField(_("reversed"), default=False)

    class Meta:
        verbose_name = _("voucher line")
        verbose_name_plural = _("voucher lines")
        ordering = ["voucher_id", "line_no"]
        indexes = [
            models.Index(fields=["org_path", "date"], name="funds_line_path_date"),
            models.Index(fields=["account", "date"], name="funds_line_account_date"),
        ]

    def __str__(self) -> str:
        return f"{self.voucher} {self.line_no} {self.summary}"

    @property
    def amount(self):
        return self.debit or self.credit
