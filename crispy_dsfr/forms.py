"""The bound field and form renderer that give every Django form the DSFR pack's markup."""

from django import forms
from django.forms.renderers import TemplatesSetting

EMPTY_CHOICE_LABEL = "Choisir…"
DJANGO_EMPTY_LABEL = "---------"

# Widget class -> the kind the field template switches on. Looked up along the widget's MRO so
# subclasses (a date input, an inline checkbox list) inherit their parent's kind.
_KINDS = {
    forms.HiddenInput: "hidden",
    forms.MultipleHiddenInput: "hidden",
    forms.CheckboxSelectMultiple: "checkboxes",  # before Select: it subclasses it
    forms.RadioSelect: "radios",
    forms.Select: "select",
    forms.CheckboxInput: "checkbox",
    forms.FileInput: "upload",
    forms.Textarea: "textarea",
}
_INPUT_CLASSES = {
    "select": "fr-select",
    "textarea": "fr-input",
    "input": "fr-input",
    "upload": "fr-upload",
}


def widget_kind(widget) -> str:
    for klass in type(widget).__mro__:
        if klass in _KINDS:
            return _KINDS[klass]
    # Widgets that are not form controls (e.g. the admin's read-only password hash) get no class.
    return "input" if isinstance(widget, forms.widgets.Input) else "other"


class DsfrBoundField(forms.BoundField):
    """Adds the DSFR class and the error message's id to the widget, and reads "Choisir…" instead
    of Django's "---------" as the empty choice."""

    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        self.kind = widget_kind(field.widget)
        if getattr(field, "empty_label", None) == DJANGO_EMPTY_LABEL:
            field.empty_label = EMPTY_CHOICE_LABEL  # the form's own copy of the field
        elif self.kind == "select" and hasattr(field, "choices") and not hasattr(field, "queryset"):
            choices = field.choices
            if choices and choices[0] == ("", DJANGO_EMPTY_LABEL):
                field.choices = [("", EMPTY_CHOICE_LABEL), *choices[1:]]

    @property
    def group(self) -> str:
        """The DSFR group the field sits in: fr-input-group, fr-select-group, fr-upload-group."""
        return self.kind if self.kind in ("select", "upload") else "input"

    @property
    def optional_mark(self) -> bool:
        # Search and filter forms, whose fields are all optional, set
        # `mark_optional_fields = False`: "(optionnel)" on each would be noise.
        return not self.field.required and getattr(self.form, "mark_optional_fields", True)

    @property
    def error_target(self) -> str:
        """The id the error summary links to: the first box of a checkbox or radio list."""
        if self.kind in ("checkboxes", "radios"):
            return f"{self.auto_id}_0"
        return self.id_for_label

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        css = _INPUT_CLASSES.get(self.kind)
        widget = widget or self.field.widget
        if css and "class" not in widget.attrs and "class" not in attrs:
            attrs["class"] = f"{css} {css}--error" if self.errors else css
        if self.kind == "other":
            attrs.pop("disabled", None)  # only form controls may carry it (valid HTML)
        if self.errors and self.kind not in ("checkboxes", "radios"):
            attrs["aria-describedby"] = f"{self.auto_id}-messages"
        return attrs


class DsfrFormRenderer(TemplatesSetting):
    """`{{ form }}` and `{{ form.field.as_field_group }}` render through the pack as well."""

    form_template_name = "crispy_dsfr/uni_form.html"
    field_template_name = "crispy_dsfr/field.html"
    bound_field_class = DsfrBoundField
