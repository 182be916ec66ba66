"""Audit labels of the funds actions: budget."""
