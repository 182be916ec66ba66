"""The public, mobile-first pages workers use without a staff login."""

from . import disclosure, tips, views_join, views_member, views_requests, votes

app_name = "portal"
urlpatterns = [*views_join.urlpatterns, *views_member.urlpatterns, *views_requests.urlpatterns,
               *disclosure.urlpatterns, *tips.urlpatterns, *votes.urlpatterns]

# The survey pages (微调查).
from . import surveys  # noqa: E402

urlpatterns += surveys.urlpatterns
