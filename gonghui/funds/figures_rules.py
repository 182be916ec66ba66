"""Funds figures: rules."""
