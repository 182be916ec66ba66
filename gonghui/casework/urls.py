from django.urls import path

from . import views, views_actions, views_admin

app_name = "casework"
urlpatterns = [
    path("cases/", views.inbox, name="inbox"),
    path("cases/new/", views.case_new, name="new"),
    # Declared before cases/<case_code>/ so these words are never taken for a case code.
    *views_admin.urlpatterns,
    path("cases/<str:case_code>/", views.case_detail, name="detail"),
    *views_actions.urlpatterns,
]
