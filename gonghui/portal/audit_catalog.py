"""Who acts on the public pages, as the audit screen names them: the worker, never the English code."""

from django.utils.translation import gettext_lazy as _

from gonghui.core.audit_labels import register_actor

register_actor("public", _("The worker (public pages)"))
register_actor("portal", _("The worker (public pages)"))
