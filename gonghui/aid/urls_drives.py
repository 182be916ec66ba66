"""Addresses of the donation drive pages and of the recuperation and check-up pages."""

from django.urls import path

from . import views_drives as d
from . import views_schemes as s

urlpatterns = [
    path("aid/drives/", d.drive_list, name="drives"),
    path("aid/drives/new/", d.drive_new, name="drive_new"),
    path("aid/drives/<int:pk>/", d.drive_detail, name="drive_detail"),
    path("aid/drives/<int:pk>/unit/", d.unit_entry, name="drive_unit"),
    path("aid/drives/<int:pk>/donation/", d.donation_new, name="drive_donation"),
    path("aid/drives/<int:pk>/close/", d.drive_close, name="drive_close"),
    path("aid/drives/<int:pk>/export/", d.drive_export, name="drive_export"),
    path("aid/drives/<int:pk>/import/", d.drive_import, name="drive_import"),
    path("aid/drives/<int:pk>/import/template/", d.drive_import_template, name="drive_import_template"),
    path("aid/drives/<int:pk>/publish/", d.drive_publish, name="drive_publish"),
    path("aid/drives/<int:pk>/withdraw/<int:pub>/", d.drive_withdraw, name="drive_withdraw"),
    path("aid/schemes/", s.scheme_list, name="schemes"),
    path("aid/schemes/new/", s.scheme_new, name="scheme_new"),
    path("aid/schemes/<int:pk>/", s.scheme_detail, name="scheme_detail"),
    path("aid/schemes/<int:pk>/quotas/", s.quota_page, name="scheme_quotas"),
    path("aid/schemes/<int:pk>/nominate/", s.nomination_new, name="nomination_new"),
    path("aid/schemes/<int:pk>/trips/new/", s.trip_new, name="trip_new"),
    path("aid/schemes/<int:pk>/subsidy/", s.subsidy_export, name="scheme_subsidy"),
    path("aid/nominations/", s.nomination_list, name="nominations"),
    path("aid/nominations/review/", s.review, name="nomination_review"),
    path("aid/nominations/<int:pk>/", s.nomination_detail, name="nomination_detail"),
    path("aid/nominations/<int:pk>/approve/", s.nomination_approve, name="nomination_approve"),
    path("aid/nominations/<int:pk>/refuse/", s.nomination_refuse, name="nomination_refuse"),
    path("aid/trips/<int:pk>/", s.trip_detail, name="trip_detail"),
]
