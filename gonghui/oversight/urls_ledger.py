"""Addresses of the ledger's pages."""

from django.urls import path

from . import views_ledger as v

urlpatterns: list = [
    path("oversight/ledger/", v.ledger_list, name="ledger"),
    path("oversight/measures/<int:pk>/", v.measure_detail, name="measure"),
    path("oversight/measures/<int:pk>/progress/", v.measure_progress, name="measure_progress"),
    path("oversight/measures/<int:pk>/closure/request/", v.measure_request, name="measure_request"),
    path("oversight/measures/<int:pk>/closure/close/", v.measure_close, name="measure_close"),
    path("oversight/measures/<int:pk>/closure/reject/", v.measure_reject, name="measure_reject"),
    path("oversight/measures/<int:pk>/reopen/", v.measure_reopen, name="measure_reopen"),
    path("oversight/problems/<int:problem_pk>/measures/new/", v.measure_new, name="measure_new"),
    path("oversight/dispatch/", v.dispatch_list, name="dispatch"),
    path("oversight/dispatch/<int:pk>/", v.dispatch_round, name="dispatch_round"),
    path("oversight/dispatch/<int:pk>/remind/", v.dispatch_remind, name="dispatch_remind"),
    path("oversight/dispatch/<int:pk>/close/", v.dispatch_close, name="dispatch_close"),
    path("oversight/meetings/", v.meeting_list, name="meetings"),
    path("oversight/snail/", v.snail_page, name="snail"),
    path("oversight/snail/publish/", v.snail_publish, name="snail_publish"),
]
