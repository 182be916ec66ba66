from django.urls import path

from . import views, views_import, views_poster

app_name = "orgs"
urlpatterns = [
    path("overview/", views.dashboard_home, name="dashboard_home"),
    path("orgs/", views.org_list, name="list"),
    path("orgs/tree/", views.tree, name="tree"),
    path("orgs/pick/", views.pick, name="pick"),
    path("orgs/tree/<str:code>/children/", views.tree_children, name="tree_children"),
    path("orgs/import/", views_import.import_upload, name="import"),
    path("orgs/import/template.xlsx", views_import.import_template, name="import_template"),
    path("orgs/<str:code>/", views.detail, name="detail"),
    path("orgs/<str:code>/overview/", views.dashboard, name="dashboard"),
    path("orgs/<str:code>/new/", views.create, name="create"),
    path("orgs/<str:code>/edit/", views.edit, name="edit"),
    path("orgs/<str:code>/move/", views.move, name="move"),
    path("orgs/<str:code>/dissolve/", views.dissolve, name="dissolve"),
    path("orgs/<str:code>/reveal-phone/", views.reveal_phone, name="reveal_phone"),
    path("orgs/<str:code>/join-qr.png", views_poster.join_qr, name="join_qr"),
    path("orgs/<str:code>/join-poster/", views_poster.join_poster, name="join_poster"),
]
