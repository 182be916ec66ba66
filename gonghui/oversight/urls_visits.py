"""Addresses of the visit, inspection and tip pages."""

from django.urls import path

from . import views_inspections as vi
from . import views_tips as vt
from . import views_visits as v

urlpatterns = [
    path("oversight/visits/", v.visit_list, name="visits"),
    path("oversight/visits/new/", v.visit_new, name="visit_new"),
    path("oversight/visits/<int:pk>/", v.visit_detail, name="visit_detail"),
    path("oversight/visits/<int:pk>/edit/", v.visit_edit, name="visit_edit"),
    path("oversight/visits/findings/<int:pk>/problem/", v.visit_finding_problem, name="visit_finding_problem"),
    path("oversight/visits/findings/<int:pk>/case/", v.visit_finding_case, name="visit_finding_case"),
]

urlpatterns += [
    path("oversight/inspections/", vi.round_list, name="inspections"),
    path("oversight/inspections/new/", vi.round_new, name="inspection_new"),
    path("oversight/inspections/items/", vi.item_list, name="inspection_items"),
    path("oversight/inspections/items/<int:pk>/", vi.item_detail, name="inspection_item"),
    path("oversight/inspections/items/<int:pk>/answer/", vi.item_answer, name="inspection_item_answer"),
    path("oversight/inspections/<int:pk>/", vi.round_detail, name="inspection_detail"),
    path("oversight/inspections/<int:pk>/edit/", vi.round_edit, name="inspection_edit"),
    path("oversight/inspections/<int:pk>/issue/", vi.item_issue, name="inspection_issue"),
]

urlpatterns += [
    path("oversight/tips/", vt.tip_list, name="tips"),
    path("oversight/tips/<int:pk>/", vt.tip_detail, name="tip_detail"),
    path("oversight/tips/<int:pk>/answer/", vt.tip_answer, name="tip_answer"),
    path("oversight/tips/<int:pk>/problem/", vt.tip_problem, name="tip_problem"),
    path("oversight/tips/<int:pk>/case/", vt.tip_case, name="tip_case"),
    path("oversight/tips/<int:pk>/reveal/", vt.tip_reveal, name="tip_reveal"),
]
