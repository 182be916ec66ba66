from django.contrib.auth import views as auth_views
from django.urls import include, path

from gonghui.api import api
from gonghui.core import views as core_views
from gonghui.portal import views_start

urlpatterns = [
    # Workers see the public start page; signed-in staff go on to their workbench.
    path("", views_start.start, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", api.urls),
    path("", include("gonghui.core.urls")),
    path("", include("gonghui.core.urls_approvals")),
    path("", include("gonghui.orgs.urls")),
    path("", include("gonghui.members.urls")),
    path("", include("gonghui.casework.urls")),
    path("", include("gonghui.portal.urls")),
    path("", include("gonghui.privacy.urls")),
]
