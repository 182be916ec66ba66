"""The funds entries of the left menu, one block per part of the app (each part adds its own)."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.menu import MenuItem, register

# Three sections, as a union's finance work divides: the books and the money in and out; budgets, decisions and
# audits; the monitoring platform.
SECTION = _("Funds")
OVERSIGHT = _("Budgets and audits")
MONITORING = _("Funds monitoring")


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
    MenuItem(_("Budgets"), "funds:budgets", "funds.view", OVERSIGHT),
    MenuItem(_("Final accounts and public board"), "funds:final_pick", "funds.view", OVERSIGHT),
    MenuItem(_("Collective decisions"), "funds:decisions", "funds.view", OVERSIGHT),
    MenuItem(_("Large expenses"), "funds:large_expenses", "funds.view", OVERSIGHT),
    MenuItem(_("Annual audits"), "funds:audits", "funds.view", OVERSIGHT),
    MenuItem(_("Audit findings overdue"), "funds:findings_overdue", "funds.view", OVERSIGHT),
    MenuItem(_("Central purchasing suppliers"), "funds:suppliers", "funds.view", OVERSIGHT),
]


# --- rule engine and alerts ---
RULES: list[MenuItem] = [
    MenuItem(_("Funds alerts"), "funds:alerts", "funds.view", MONITORING,
             badge="gonghui.funds.selectors_rules.menu_badge"),
    MenuItem(_("Monitoring rules"), "funds:rule_settings", "funds.settings", MONITORING),
    MenuItem(_("Holiday-gift caps"), "funds:gift_caps", "funds.settings", MONITORING),
    MenuItem(_("Custom rules"), "funds:custom_rules", "funds.settings", MONITORING),
]


register(*BOOKS, *JOURNAL, *INCOME, *BUDGET, *RULES)
