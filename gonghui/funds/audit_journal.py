"""Audit labels of the funds actions: journal."""
