"""Addresses of the grants in bulk (from the archive, approve all, the import)."""

from django.urls import path

from . import views_warmth as v

urlpatterns = [
    path("aid/programs/<int:pk>/from-archive/", v.from_archive, name="from_archive"),
    path("aid/programs/<int:pk>/approve-all/", v.approve_all, name="approve_all"),
    path("aid/programs/<int:pk>/import/", v.grant_import, name="grant_import"),
    path("aid/grants/<int:pk>/account/", v.grant_account, name="grant_account"),
    path("aid/programs/<int:pk>/publish/", v.grants_publish, name="grants_publish"),
    path("aid/programs/<int:pk>/publications/<int:pub>/withdraw/", v.grants_withdraw, name="grants_withdraw"),
    path("aid/programs/<int:pk>/import/template/", v.grant_import_template, name="grant_import_template"),
]
