"""Form helpers shared by the domain apps."""

from django.forms.models import ModelChoiceField, ModelChoiceIterator


class LoadedChoiceIterator(ModelChoiceIterator):
    """Iterates the field's queryset as loaded (its result cache), where ModelChoiceIterator runs
    it again through a server-side cursor (three round trips) at each rendering."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


def load_choices(form) -> list[tuple[str, list]]:
    """Loads the rows of each model select of `form` once, with one plain query each, and
    returns (field name, [(pk, label), ...]): with the submitted data, all a filter form's
    rendering depends on, hence a key under which its HTML may be cached."""
    loaded = []
    for name, field in form.fields.items():
        if isinstance(field, ModelChoiceField):
            field.iterator = LoadedChoiceIterator
            field.queryset = field.queryset  # the setter gives the widget the new iterator
            loaded.append(
                (name, [(obj.pk, field.label_from_instance(obj)) for obj in field.queryset])
            )
    return loaded
