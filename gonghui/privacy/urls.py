"""The privacy pages: the worker's own (public) and the union officers' screen of deletion requests."""

from .views import app_name, urlpatterns  # noqa: F401
