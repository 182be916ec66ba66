"""Audit labels of the funds actions: rules."""
