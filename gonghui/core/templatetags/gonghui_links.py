"""Links only to what the viewer may open: a page never offers a door that answers 403.

``{% allowed_url 'orgs:dashboard' org.code as overview %}`` gives the address when the current actor holds the
permission the target view declares (``@requires`` in gonghui/core/views.py), else "" (the template then leaves
the link out). Scope needs no check here: a page links only to objects inside what it shows."""

from django import template
from django.urls import Resolver404, resolve, reverse

register = template.Library()


def may_open(actor, url: str) -> bool:
    """True when ``actor`` holds a permission the view at ``url`` requires (views without one: True)."""
    try:
        match = resolve(url.split("?", 1)[0])
    except Resolver404:
        return False
    perms = getattr(match.func, "required_perms", None)
    return not perms or (actor is not None and any(actor.can(p) for p in perms))


@register.simple_tag(takes_context=True)
def allowed_url(context, viewname: str, *args) -> str:
    url = reverse(viewname, args=args)
    return url if may_open(context.get("actor"), url) else ""
