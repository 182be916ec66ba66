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
BUDGET: list[MenuItem] = [
    MenuItem(_("Budgets"), "funds:budgets", "funds.view", SECTION),
    MenuItem(_("Final accounts and public board"), "funds:final_pick", "funds.view", SECTION),
    MenuItem(_("Collective decisions"), "funds:decisions", "funds.view", SECTION),
    MenuItem(_("Large expenses"), "funds:large_expenses", "funds.view", SECTION),
    MenuItem(_("Annual audits"), "funds:audits", "funds.view", SECTION),
    MenuItem(_("Audit findings overdue"), "funds:findings_overdue", "funds.view", SECTION),
    MenuItem(_("Central purchasing suppliers"), "funds:suppliers", "funds.view", SECTION),
]


# --- rule engine and alerts ---
RULES: list[MenuItem] = []


register(*BOOKS, *JOURNAL, *INCOME, *BUDGET, *RULES)
