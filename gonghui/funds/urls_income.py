"""Addresses of the funds pages: income."""

urlpatterns: list = []
