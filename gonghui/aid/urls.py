app_name = "aid"
# One urls_<part>.py per part of the app, added here: urlpatterns += urls_<part>.urlpatterns
urlpatterns: list = []

from . import urls_archive  # noqa: E402

urlpatterns += urls_archive.urlpatterns
