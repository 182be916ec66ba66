"""Funds figures: budget."""
