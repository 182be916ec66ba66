from django.urls import path

from . import views_approvals as views

app_name = "approvals"
urlpatterns = [
    path("approvals/", views.approval_list, name="list"),
    path("approvals/<str:uid>/", views.approval_detail, name="detail"),
    path("approvals/<str:uid>/approve/", views.approval_approve, name="approve"),
    path("approvals/<str:uid>/reject/", views.approval_reject, name="reject"),
    path("approvals/<str:uid>/cancel/", views.approval_cancel, name="cancel"),
    path("approvals/<str:uid>/download/", views.approval_execute, name="execute"),
]
