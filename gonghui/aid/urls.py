from . import urls_programs

app_name = "aid"
# One urls_<part>.py per part of the app, added here: urlpatterns += urls_<part>.urlpatterns
urlpatterns: list = []
urlpatterns += urls_programs.urlpatterns
