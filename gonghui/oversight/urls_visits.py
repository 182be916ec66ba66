"""Addresses of the visit, inspection and tip pages."""

from django.urls import path

from . import views_visits as v

urlpatterns = [
    path("oversight/visits/", v.visit_list, name="visits"),
    path("oversight/visits/new/", v.visit_new, name="visit_new"),
    path("oversight/visits/<int:pk>/", v.visit_detail, name="visit_detail"),
    path("oversight/visits/<int:pk>/edit/", v.visit_edit, name="visit_edit"),
    path("oversight/visits/<int:pk>/findings/<int:finding>/problem/", v.visit_finding_problem,
         name="visit_finding_problem"),
]
