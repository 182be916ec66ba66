from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError


class StyledFormMixin:
    """Bootstrap classes on every widget, so templates render fields without per-field markup. ``actor=`` goes to
    the form's union pickers (gonghui.core.widgets), which search and check inside that actor's scope."""

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is not None:
            from .widgets import bind_actor

            bind_actor(self, actor)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class StyledForm(StyledFormMixin, forms.Form):
    pass


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def apply_validation_error(form: forms.Form, exc) -> None:
    """Put a service's ValidationError next to the fields it names (or on top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def run_form(request, form: forms.Form, action, *, success) -> bool:
    """A POSTed form that calls one service: ``action(cleaned_data)`` runs when the form is valid, a ValidationError
    it raises goes next to the fields it names, and ``success`` (a message, or a function of the action's result)
    is flashed. True when it was done (the caller redirects); False when the form must be shown again (422)."""
    if not form.is_valid():
        return False
    try:
        result = action(form.cleaned_data)
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True


def run_action(request, action, *, success) -> bool:
    """A POSTed button that calls one service with nothing to fill in: a ValidationError becomes an error message
    (its messages joined), else ``success`` (a message, or a function of the result) is flashed. The caller
    redirects either way. True when it was done."""
    try:
        result = action()
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True
