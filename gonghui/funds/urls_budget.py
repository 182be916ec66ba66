"""Addresses of the funds pages: budgets, final accounts, collective decisions, large expenses, annual audits,
central purchasing suppliers. A union and year in the address are looked up within the reader's subtree."""

from django.urls import path

from .views_budget import budgets as b
from .views_budget import records as r

urlpatterns: list = [
    path("funds/budgets/", b.budget_list, name="budgets"),
    path("funds/budgets/new/", b.budget_create, name="budget_create"),
    path("funds/budgets/<str:code>/<int:year>/", b.budget_detail, name="budget_detail"),
    path("funds/budgets/<str:code>/<int:year>/line/", b.budget_line, name="budget_line"),
    path("funds/budgets/<str:code>/<int:year>/line/remove/", b.budget_line_remove, name="budget_line_remove"),
    path("funds/budgets/<str:code>/<int:year>/review/", b.budget_review, name="budget_review"),
    path("funds/budgets/<str:code>/<int:year>/approve/", b.budget_approve, name="budget_approve"),
    path("funds/budgets/<str:code>/<int:year>/adjust/", b.budget_adjust, name="budget_adjust"),
    path("funds/final/", b.final_pick, name="final_pick"),
    path("funds/final/<str:code>/<int:year>/", b.final_detail, name="final_detail"),
    path("funds/final/<str:code>/<int:year>/build/", b.final_build, name="final_build"),
    path("funds/final/<str:code>/<int:year>/approve/", b.final_approve, name="final_approve"),
    path("funds/final/<str:code>/<int:year>/publish/", b.disclosure_publish, name="disclosure_publish"),
    path("funds/final/<str:code>/<int:year>/withdraw/", b.disclosure_withdraw, name="disclosure_withdraw"),
    path("funds/decisions/", r.decision_list, name="decisions"),
    path("funds/decisions/new/", r.decision_create, name="decision_create"),
    path("funds/large-expenses/", r.large_expense_list, name="large_expenses"),
    path("funds/audits/", r.audit_list, name="audits"),
    path("funds/audits/new/", r.audit_create, name="audit_create"),
    path("funds/audits/overdue/", r.finding_overdue_list, name="findings_overdue"),
    path("funds/audits/<str:code>/<int:year>/", r.audit_detail, name="audit_detail"),
    path("funds/audits/<str:code>/<int:year>/findings/", r.finding_create, name="finding_create"),
    path("funds/audits/<str:code>/<int:year>/findings/progress/", r.finding_progress, name="finding_progress"),
    path("funds/audits/<str:code>/<int:year>/findings/problems/", r.findings_to_problems,
         name="findings_to_problems"),
    path("funds/suppliers/", r.supplier_list, name="suppliers"),
    path("funds/suppliers/add/", r.supplier_create, name="supplier_create"),
    path("funds/suppliers/import/", r.supplier_import, name="supplier_import"),
    path("funds/suppliers/import/report/", r.supplier_import_report, name="supplier_import_report"),
    path("funds/suppliers/deactivate/", r.supplier_deactivate, name="supplier_deactivate"),
]
