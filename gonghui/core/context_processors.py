from django.utils.translation import gettext as _

from .menu import menu_for


def shell(request):
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {"actor": actor}
    warnings = []
    if actor.can("calendar.manage"):
        from .workdays import missing_years

        warnings = [_("The holiday arrangement for %(y)s has not been entered: deadlines in %(y)s are provisional.")
                    % {"y": y} for y in missing_years(upcoming=1)]
    return {"actor": actor, "menu": menu_for(request, actor), "shell_warnings": warnings}
