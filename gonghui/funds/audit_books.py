"""Audit labels of the funds actions: books."""
