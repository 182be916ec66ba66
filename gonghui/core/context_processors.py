from django.utils.translation import gettext as _

from .menu import menu_for
from .models import SecurityPolicy


def shell(request):
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {"actor": actor}
    warnings = []
    if actor.can("calendar.manage"):
        from .workdays import missing_years

        warnings = [_("The holiday arrangement for %(y)s has not been entered: deadlines in %(y)s are provisional.")
                    % {"y": y} for y in missing_years(upcoming=1)]
    # Said on every staff page while the policy lets a password alone sign in (the demo runs so), not only once in
    # the seed's output; the security administrator gets the way to change it.
    second_factor_off = not SecurityPolicy.current().require_second_factor
    return {"actor": actor, "menu": menu_for(request, actor), "shell_warnings": warnings,
            "second_factor_off": second_factor_off,
            "may_turn_on_second_factor": second_factor_off and actor.can("security.manage")}
