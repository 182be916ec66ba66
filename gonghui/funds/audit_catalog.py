"""Audit labels of the funds actions, one module per part of the app."""

from . import audit_books, audit_budget, audit_income, audit_journal, audit_rules  # noqa: F401
