"""Addresses of the funds pages: books. A union's book is addressed by the union's code and the year; a voucher by
its number in that book (记-0001 is 1; another voucher type is named with ?word=)."""

from django.urls import path

from .views_books import accounts, reports, vouchers, year

BOOK = "funds/books/<str:code>/<int:year>/"

urlpatterns: list = [
    path("funds/books/", vouchers.books_home, name="books_home"),
    path("funds/charts/import/", accounts.chart_import_page, name="chart_import"),
    path("funds/charts/import/report/", accounts.chart_import_report, name="chart_import_report"),
    path(BOOK, vouchers.book, name="book"),
    path(BOOK + "vouchers/new/", vouchers.voucher_new, name="voucher_new"),
    path(BOOK + "vouchers/<int:number>/", vouchers.voucher_detail, name="voucher_detail"),
    path(BOOK + "vouchers/<int:number>/reverse/", vouchers.voucher_reverse, name="voucher_reverse"),
    path(BOOK + "accounts/", accounts.accounts_page, name="accounts"),
    path(BOOK + "accounts/add/", accounts.account_add, name="account_add"),
    path(BOOK + "openings/", year.openings, name="openings"),
    path(BOOK + "close/", year.book_close, name="book_close"),
    path(BOOK + "close/confirm/", year.book_close_post, name="book_close_post"),
    path(BOOK + "trial-balance/", reports.trial_balance, name="trial_balance"),
    path(BOOK + "statement/", reports.statement, name="statement"),
    path(BOOK + "ledger/", reports.ledger, name="ledger"),
    path(BOOK + "cash-journal/", reports.cash_journal, name="cash_journal"),
    path(BOOK + "bank-journal/", reports.bank_journal, name="bank_journal"),
]
