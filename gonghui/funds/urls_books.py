"""Addresses of the funds pages: books."""

urlpatterns: list = []
