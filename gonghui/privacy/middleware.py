"""``Cache-Control: no-store`` on every response that may carry personal data: everything a signed-in staff user
or an API client is sent, and every page of the public portal and of the privacy pages (they show or take ID and
phone numbers). Neither the browser's cache nor a proxy keeps a copy."""

from django.utils.cache import add_never_cache_headers

PERSONAL_NAMESPACES = frozenset({"portal", "privacy"})


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def _personal(request) -> bool:
    if getattr(request, "auth", None) is not None or request.path.startswith("/api/"):
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and bool(PERSONAL_NAMESPACES & set(match.namespaces))


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = _signed_in(request)  # before the view: signing out still answers a signed-in user
        response = self.get_response(request)
        personal = signed_in or _signed_in(request) or _personal(request)
        if personal and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response
