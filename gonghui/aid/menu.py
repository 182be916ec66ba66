"""The assistance entries of the left menu, one block per part of the app (each part adds its own, then registers
it on the last line)."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.menu import MenuItem, register

SECTION = _("Assistance")

# --- the hardship archive ---
ARCHIVE: list[MenuItem] = [
    MenuItem(_("Hardship archive"), "aid:archive", "aid.view", SECTION),
    MenuItem(_("New hardship file"), "aid:household_new", "aid.write", SECTION),
    MenuItem(_("Hardship files to review"), "aid:archive_review", "aid.review", SECTION),
    MenuItem(_("低保 standards"), "aid:standards", "aid.view", SECTION),
]

register(*ARCHIVE)
