"""Every Django form renders with DSFR markup, without each form having to inherit a base class."""

from django.forms.renderers import TemplatesSetting
from dsfr.forms import DsfrBoundField
from dsfr.utils import dsfr_input_class_attr


class ProjectBoundField(DsfrBoundField):
    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        dsfr_input_class_attr(self)

    def get_context(self):
        # DSFR marks optional fields rather than required ones; search and filter forms, whose
        # fields are all optional, set `mark_optional_fields = False` to spare the noise.
        mark = getattr(self.form, "mark_optional_fields", True)
        return {**super().get_context(), "DSFR_MARK_OPTIONAL_FIELDS": mark}


class DsfrFormRenderer(TemplatesSetting):
    form_template_name = "dsfr/form_snippet.html"
    bound_field_class = ProjectBoundField
