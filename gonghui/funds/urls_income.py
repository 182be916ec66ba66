"""Addresses of the funds pages: income, allocations, shares and returns."""

from django.urls import path

from . import views_income as v

urlpatterns: list = [
    path("funds/dues/", v.dues_list, name="dues"),
    path("funds/dues/<str:code>/<int:year>/", v.dues_grid, name="dues_grid"),
    path("funds/allocations/", v.allocation_list, name="allocations"),
    path("funds/allocations/new/", v.allocation_new, name="allocation_new"),
    path("funds/allocations/receive/", v.allocation_receive, name="allocation_receive"),
    path("funds/income/import/", v.income_import, name="income_import"),
    path("funds/income/import/report/", v.income_import_report, name="income_import_report"),
    path("funds/shares/", v.shares_list, name="shares"),
    path("funds/shares/new/", v.shares_new, name="shares_new"),
    path("funds/returns/", v.returns_inbox, name="returns"),
    path("funds/returns/receipt/", v.return_receipt, name="return_receipt"),
    path("funds/returns/pay/", v.return_pay, name="return_pay"),
    path("funds/returns/supervision/", v.returns_supervision, name="returns_supervision"),
    path("funds/returns/supervise/", v.returns_supervise, name="returns_supervise"),
]
