"""Addresses of the funds pages: journal import."""

from django.urls import path

from . import views_journal as views

urlpatterns: list = [
    path("funds/journal/import/", views.journal_upload, name="journal_import"),
    path("funds/journal/import/<str:uid>/", views.journal_job, name="journal_job"),
    path("funds/journal/import/<str:uid>/report.xlsx", views.journal_report, name="journal_report"),
]
