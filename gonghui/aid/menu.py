"""The assistance entries of the left menu, one block per part of the app (each part adds its own, then registers
it on the last line)."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.menu import register

SECTION = _("Assistance")

register()
