"""The funds entries of the left menu, one block per part of the app (each part adds its own)."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.menu import MenuItem, register

SECTION = _("Funds")


# --- books ---
BOOKS: list[MenuItem] = [
    MenuItem(_("Books"), "funds:books_home", "funds.view", SECTION),
    MenuItem(_("Load a chart of accounts"), "funds:chart_import", "funds.settings", SECTION),
]


# --- journal import ---
JOURNAL: list[MenuItem] = [
    MenuItem(_("Import a journal"), "funds:journal_import", "funds.write", SECTION),
]


# --- income and returns ---
INCOME: list[MenuItem] = [
    MenuItem(_("Dues"), "funds:dues", "funds.view", SECTION),
    MenuItem(_("Allocations"), "funds:allocations", "funds.view", SECTION),
    MenuItem(_("Fund returns"), "funds:returns", "funds.view", SECTION,
             badge="gonghui.funds.selectors_income.returns_menu_badge"),
    MenuItem(_("Returns supervision"), "funds:returns_supervision", "funds.view", SECTION),
    MenuItem(_("Allocation shares"), "funds:shares", "funds.settings", SECTION),
]


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
RULES: list[MenuItem] = [
    MenuItem(_("Funds alerts"), "funds:alerts", "funds.view", SECTION,
             badge="gonghui.funds.selectors_rules.menu_badge"),
    MenuItem(_("Monitoring rules"), "funds:rule_settings", "funds.settings", SECTION),
    MenuItem(_("Holiday-gift caps"), "funds:gift_caps", "funds.settings", SECTION),
    MenuItem(_("Custom rules"), "funds:custom_rules", "funds.settings", SECTION),
]


register(*BOOKS, *JOURNAL, *INCOME, *BUDGET, *RULES)
