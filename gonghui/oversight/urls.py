from . import urls_ledger

app_name = "oversight"
# One urls_<part>.py per part of the app, added here.
urlpatterns: list = []
urlpatterns += urls_ledger.urlpatterns
