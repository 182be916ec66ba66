"""Funds figures: books."""
