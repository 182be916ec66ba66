from django.urls import path

from . import views, views_applications, views_cards, views_import, views_transfers

app_name = "members"
urlpatterns = [
    path("members/", views.member_list, name="list"),
    path("members/new/", views.member_add, name="add"),
    path("members/find/", views.member_find, name="find"),
    path("members/p/<str:uid>/", views.member_detail, name="detail"),
    path("members/p/<str:uid>/edit/", views.member_edit, name="edit"),
    path("members/p/<str:uid>/leave/", views.member_leave, name="leave"),
    path("members/p/<str:uid>/reveal/", views.member_reveal, name="reveal"),
    *views_import.urlpatterns,
    *views_applications.urlpatterns,
    *views_transfers.urlpatterns,
    *views_cards.urlpatterns,
]
