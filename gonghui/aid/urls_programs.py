"""Addresses of the programs, grants, batches and visits pages."""

from django.urls import path

from . import views_programs as v

urlpatterns = [
    path("aid/programs/", v.program_list, name="programs"),
    path("aid/programs/new/", v.program_new, name="program_new"),
    path("aid/programs/<int:pk>/", v.program_detail, name="program_detail"),
    path("aid/programs/<int:pk>/rules/", v.program_rules, name="program_rules"),
    path("aid/programs/<int:pk>/batch/", v.batch_new, name="batch_new"),
    path("aid/grants/", v.grant_list, name="grants"),
    path("aid/grants/apply/", v.grant_apply, name="grant_apply"),
    path("aid/grants/inbox/", v.inbox, name="inbox"),
    path("aid/grants/<int:pk>/", v.grant_detail, name="grant_detail"),
    path("aid/grants/<int:pk>/approve/", v.grant_approve, name="grant_approve"),
    path("aid/grants/<int:pk>/refuse/", v.grant_refuse, name="grant_refuse"),
    path("aid/batches/<int:pk>/", v.batch_detail, name="batch_detail"),
    path("aid/batches/<int:pk>/file/", v.batch_file, name="batch_file"),
    path("aid/batches/<int:pk>/pay/", v.batch_pay, name="batch_pay"),
    path("aid/visits/", v.visit_list, name="visits"),
    path("aid/visits/new/", v.visit_new, name="visit_new"),
    path("aid/visits/<int:pk>/", v.visit_detail, name="visit_detail"),
]
