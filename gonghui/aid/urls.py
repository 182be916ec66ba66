from . import urls_archive, urls_drives, urls_mutual, urls_programs, urls_warmth

app_name = "aid"
# One urls_<part>.py per part of the app.
urlpatterns: list = []
urlpatterns += urls_archive.urlpatterns
urlpatterns += urls_programs.urlpatterns
urlpatterns += urls_warmth.urlpatterns
urlpatterns += urls_mutual.urlpatterns
urlpatterns += urls_drives.urlpatterns
