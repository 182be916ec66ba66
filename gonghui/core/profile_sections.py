"""What core adds to a union's page: its officers, the roles granted on that union."""

from django.utils.translation import gettext_lazy as _

from .profile import register_org_section


def officers(*, actor, org):
    from .models import Grant

    grants = (Grant.objects.filter(org=org, user__is_active=True).select_related("user")
              .order_by("role", "user__username"))
    return {"grants": list(grants), "can_manage": actor.can("user.manage")}


register_org_section("officers", _("Officers"), 20, officers, "core/sections/officers.html")
