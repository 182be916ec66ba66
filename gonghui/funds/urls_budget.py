"""Addresses of the funds pages: budget."""

urlpatterns: list = []
