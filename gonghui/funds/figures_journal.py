"""Funds figures: journal."""
