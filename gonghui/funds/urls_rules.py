"""Addresses of the funds pages: rules."""

from . import views_rules

urlpatterns: list = [*views_rules.urlpatterns]
