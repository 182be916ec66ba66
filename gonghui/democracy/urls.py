"""Addresses of the democracy pages (the voting pages are the portal's, under /vote/)."""

from django.urls import path

from . import views as v

app_name = "democracy"
urlpatterns = [
    path("democracy/polls/", v.poll_list, name="polls"),
    path("democracy/polls/new/", v.poll_new, name="poll_new"),
    path("democracy/polls/<int:pk>/", v.poll_detail, name="poll_detail"),
    path("democracy/polls/<int:pk>/print/", v.codes_print, name="codes_print"),
    path("democracy/polls/<int:pk>/send/", v.codes_send, name="codes_send"),
    path("democracy/polls/<int:pk>/close/", v.poll_close, name="poll_close"),
    path("democracy/polls/<int:pk>/publish/", v.poll_publish, name="poll_publish"),
    path("democracy/polls/<int:pk>/export/", v.poll_export, name="poll_export"),
    path("democracy/criteria/", v.criteria_list, name="criteria"),
]

# Surveys (微调查): their pages live with their views (the answering pages are the portal's, under /survey/).
from . import views_surveys  # noqa: E402

urlpatterns += views_surveys.urlpatterns

# Workers' congresses and proposals (职代会 / 提案) and the 厂务公开 records: their pages live with their views.
from . import views_congress  # noqa: E402

urlpatterns += views_congress.urlpatterns
