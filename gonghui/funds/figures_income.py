"""Funds figures: income."""
