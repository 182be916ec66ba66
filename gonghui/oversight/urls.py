from . import urls_ledger, urls_problems, urls_tasks, urls_visits

app_name = "oversight"
# One urls_<part>.py per part of the app.
urlpatterns: list = []
urlpatterns += urls_problems.urlpatterns
urlpatterns += urls_ledger.urlpatterns
urlpatterns += urls_tasks.urlpatterns
urlpatterns += urls_visits.urlpatterns
