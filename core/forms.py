"""Form helpers shared by the domain apps: a key under which a form's HTML may be cached.

Django renders a form field through several templates (field group, widget, attributes,
options): on long forms and filter bars this costs more CPU than the rest of the page. A form's
HTML depends only on the value each field shows, its errors and the choices it offers; keyed on
those, a cached rendering can never be stale."""

from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceField, ModelChoiceIterator
from django.utils.functional import cached_property


class LoadedChoiceIterator(ModelChoiceIterator):
    """Iterates the field's queryset as loaded (its result cache), where ModelChoiceIterator runs
    it again through a server-side cursor (three round trips) at each rendering."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class LoadedChoiceValidation:
    """For a model select: a submitted value is looked up among the rows load_choices() loaded,
    instead of by a query of its own (`queryset.get()`); as before when none were loaded."""

    def to_python(self, value):
        rows = getattr(self, "loaded_rows", None)
        if rows is None or self.to_field_name or not isinstance(value, str):
            return super().to_python(value)
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        try:
            return rows[self.queryset.model._meta.pk.to_python(value)]
        except (KeyError, ValidationError):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None


def load_choices(form) -> list[tuple[str, list]]:
    """Loads the rows of each model select of `form` once, with one plain query each (used for
    the key, the rendering, and the validation of LoadedChoiceValidation fields), and returns
    (field name, [(pk, label), ...])."""
    if getattr(form, "_loaded_choices", None) is None:
        loaded = []
        for name, field in form.fields.items():
            if isinstance(field, ModelChoiceField):
                field.iterator = LoadedChoiceIterator
                field.queryset = field.queryset  # the setter gives the widget the new iterator
                field.loaded_rows = {obj.pk: obj for obj in field.queryset}
                choices = [(obj.pk, field.label_from_instance(obj)) for obj in field.queryset]
                loaded.append((name, choices))
        form._loaded_choices = loaded
    return form._loaded_choices


def rendering_key(form) -> str:
    """What the rendering of `form` depends on: each field's shown value and errors, and every
    choice offered. For `{% cache %}`, which hashes it."""
    shown = [(field.name, _plain(field.value()), field.errors) for field in form]
    return repr((shown, form.non_field_errors(), load_choices(form)))


def _plain(value):
    """Model instances (a many-to-many field's initial value) by primary key."""
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return getattr(value, "pk", value)


class CachedRenderingMixin:
    """`form.rendering_key` for templates: `{% cache 300 name form.rendering_key %}`."""

    @cached_property
    def rendering_key(self) -> str:
        return rendering_key(self)
