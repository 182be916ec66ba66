"""Addresses of the funds pages: rules."""

urlpatterns: list = []
