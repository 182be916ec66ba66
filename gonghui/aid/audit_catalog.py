"""Audit labels of the assistance actions, one module per part of the app (audit_<part>.py, imported here)."""

from . import audit_archive, audit_drives, audit_mutual, audit_programs, audit_warmth  # noqa: F401
