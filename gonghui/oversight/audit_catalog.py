"""Audit labels of the oversight actions, one module per part of the app (audit_<part>.py, imported here)."""

from . import audit_ledger, audit_problems, audit_tasks, audit_visits  # noqa: F401
