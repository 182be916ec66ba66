"""Addresses of the funds pages: journal."""

urlpatterns: list = []
