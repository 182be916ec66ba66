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
    # The workers' public pages first: they take the most requests (a poll's voters at once), and resolving them
    # after every staff route costs a millisecond a request. No staff route shares their first segment.
    path("", include("gonghui.portal.urls")),
    path("", include("gonghui.core.urls")),
    path("", include("gonghui.core.urls_approvals")),
    path("", include("gonghui.core.urls_attachments")),
    path("", include("gonghui.core.supervision.urls")),
    path("", include("gonghui.orgs.urls")),
    path("", include("gonghui.members.urls")),
    path("", include("gonghui.casework.urls")),
    path("", include("gonghui.funds.urls")),
    path("", include("gonghui.oversight.urls")),
    path("", include("gonghui.aid.urls")),
    path("", include("gonghui.democracy.urls")),
    path("", include("gonghui.privacy.urls")),
]

# Chinese error pages in the site's layouts (gonghui/core/views.py); the 500 page shows a logged incident number.
handler400 = "gonghui.core.views.bad_request"
handler403 = "gonghui.core.views.permission_denied"
handler404 = "gonghui.core.views.page_not_found"
handler500 = "gonghui.core.views.server_error"
