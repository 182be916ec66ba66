"""Audit labels of the oversight actions, one module per part of the app (audit_<part>.py, imported here)."""
from . import (
    audit_ledger,  # noqa: F401
    audit_problems,  # noqa: F401
    audit_visits,  # noqa: F401
)
