from . import urls_problems, urls_tasks

app_name = "oversight"
# One urls_<part>.py per part of the app, added here.
urlpatterns: list = []
urlpatterns += urls_problems.urlpatterns
urlpatterns += urls_tasks.urlpatterns
