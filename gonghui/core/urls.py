from django.urls import path

from . import admin_views, calendar_views, otp_views, views

app_name = "core"
urlpatterns = [
    path("switch/", views.switch_grant, name="switch"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("account/", admin_views.account, name="account"),
    path("account/two-factor/", otp_views.two_factor, name="two_factor"),
    path("account/two-factor/qr.svg", otp_views.two_factor_qr, name="two_factor_qr"),
    path("account/two-factor/recovery-codes/", otp_views.recovery_codes, name="recovery_codes"),
    path("account/tokens/<str:prefix>/revoke/", admin_views.token_revoke, name="token_revoke"),
    path("audit/", admin_views.audit_list, name="audit"),
    path("users/", admin_views.user_list, name="users"),
    path("users/new/", admin_views.user_create, name="user_create"),
    path("users/<str:username>/", admin_views.user_detail, name="user_detail"),
    path("security/", admin_views.security, name="security"),
    path("calendar/", calendar_views.calendar_years, name="calendar"),
    path("calendar/<int:year>/", calendar_views.calendar_year, name="calendar_year"),
    path("calendar/<int:year>/edit/", calendar_views.calendar_edit, name="calendar_edit"),
]
