"""Audit labels of the funds actions: income."""
