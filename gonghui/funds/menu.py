"""The funds entries of the left menu, one block per part of the app (each part adds its own)."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.menu import MenuItem, register

SECTION = _("Funds")


# --- books ---
BOOKS: list[MenuItem] = []


# --- journal import ---
JOURNAL: list[MenuItem] = []


# --- income and returns ---
INCOME: list[MenuItem] = []


# --- budgets, decisions, audits, suppliers ---
BUDGET: list[MenuItem] = []


# --- rule engine and alerts ---
RULES: list[MenuItem] = [
    MenuItem(_("Funds alerts"), "funds:alerts", "funds.view", SECTION,
             badge="gonghui.funds.selectors_rules.menu_badge"),
    MenuItem(_("Monitoring rules"), "funds:rule_settings", "funds.settings", SECTION),
    MenuItem(_("Holiday-gift caps"), "funds:gift_caps", "funds.settings", SECTION),
    MenuItem(_("Custom rules"), "funds:custom_rules", "funds.settings", SECTION),
]


register(*BOOKS, *JOURNAL, *INCOME, *BUDGET, *RULES)
