"""Addresses of the attachments pages: one object's files (?kind=&id=), upload, download and delete."""

from django.urls import path

from . import views_attachments as views

app_name = "attachments"
urlpatterns = [
    path("attachments/", views.attachment_owner, name="owner"),
    path("attachments/upload/", views.attachment_upload, name="upload"),
    path("attachments/<str:uid>/download/", views.attachment_download, name="download"),
    path("attachments/<str:uid>/delete/", views.attachment_delete, name="delete"),
]
