"""The union picker: one form field for every "which union" question.

The officer types part of a name or code and picks from at most ~20 matches inside their scope (an htmx request
to ``orgs:pick``, keyboard-driven by static/gonghui/picker.js), or browses the tree in the same list. The field
cleans to the org's code; an unknown or out-of-scope value is an error next to the field, never a 404.
Without JavaScript the typed text is submitted and resolved by exact code or exact name.
"""

from urllib.parse import urlencode

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class OrgPickerWidget(forms.Widget):
    template_name = "core/widgets/org_picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.options: dict = {}
        self.actor = None

    def value_from_datadict(self, data, files, name):
        code = (data.get(name) or "").strip()
        return code or (data.get(name + "_q") or "").strip()

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + "_q" not in data

    def _label(self, value) -> tuple[str, str]:
        """(code, text shown) for the current value: the org's name when the value is a code in scope."""
        if not value or self.actor is None:
            return "", value or ""
        from gonghui.orgs.selectors import org_resolve

        found = org_resolve(actor=self.actor, value=str(value), **self.options)
        if len(found) == 1:
            return found[0].code, f"{found[0].name}（{found[0].code}）"
        return "", str(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        code, text = self._label(value)
        params = {}
        if levels := self.options.get("levels"):
            params["levels"] = ",".join(levels)
        if self.options.get("active_only"):
            params["active"] = "1"
        if self.options.get("anywhere"):
            params["anywhere"] = "1"
        if self.options.get("below"):
            params["below"] = self.options["below"]
        url = reverse("orgs:pick") + ("?" + urlencode(params) if params else "")
        attrs = context["widget"]["attrs"]
        attrs["class"] = (attrs.get("class", "") + " gh-picker-input").strip()
        context["widget"].update({"code": code, "text": text, "url": url,
                                  "browse_url": url + ("&" if params else "?") + "browse="
                                  + params.get("below", ""),
                                  "browsable": not self.options.get("anywhere")})
        return context


class OrgPickerField(forms.Field):
    """Cleans to the chosen org's code. ``levels``/``active_only`` narrow what may be chosen; ``anywhere`` looks
    among the active member units of the whole federation instead of the actor's subtree (a transfer's
    destination); ``limit_below(code)`` keeps it strictly under one unit. The form hands the actor over with
    ``bind_actor`` (StyledForm does it from ``actor=``)."""

    widget = OrgPickerWidget
    default_error_messages = {
        "not_found": _("No unit found for “%(value)s”: type part of its name or code and choose it from the list."),
        "ambiguous": _("Several units are named “%(value)s”: choose the one you mean from the list."),
    }

    def __init__(self, *, levels=(), active_only: bool = False, anywhere: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.options = {"levels": tuple(levels), "active_only": active_only, "anywhere": anywhere, "below": ""}
        self.widget.options = self.options
        self.actor = None

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.options = dict(self.options)  # each form's own: limit_below() must not reach other forms
        result.widget.options = result.options
        return result

    def limit_below(self, code: str) -> None:
        self.options["below"] = code

    def bind_actor(self, actor) -> None:
        self.actor = actor
        self.widget.actor = actor

    def to_python(self, value):
        return " ".join(str(value or "").split())

    def validate(self, value):
        super().validate(value)
        if not value:
            return
        if self.actor is None:
            raise forms.ValidationError(self.error_messages["not_found"], code="not_found", params={"value": value})
        from gonghui.orgs.selectors import org_resolve

        found = org_resolve(actor=self.actor, value=value, **self.options)
        if not found:
            raise forms.ValidationError(self.error_messages["not_found"], code="not_found", params={"value": value})
        if len(found) > 1:
            raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous", params={"value": value})
        self._org = found[0]

    def clean(self, value):
        value = super().clean(value)
        return self._org.code if value else ""


def bind_actor(form: forms.BaseForm, actor) -> None:
    """Give every union picker of ``form`` the actor whose scope it searches."""
    for field in form.fields.values():
        if isinstance(field, OrgPickerField):
            field.bind_actor(actor)
