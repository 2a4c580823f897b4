"""Layout objects of the DSFR pack, for forms that group fields (FormHelper.layout)."""

from crispy_forms import layout
from crispy_forms.utils import TEMPLATE_PACK, render_field
from django.utils.html import format_html_join


class Fieldset(layout.Fieldset):
    """A DSFR fieldset: a legend, then each field in its `fr-fieldset__element`."""

    template = "%s/layout/fieldset.html"

    def get_rendered_fields(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        return format_html_join(
            "",
            '<div class="fr-fieldset__element">{}</div>',
            (
                (render_field(field, form, context, template_pack=template_pack, **kwargs),)
                for field in self.fields
            ),
        )


class InlineField(layout.Field):
    """Checkboxes or radio buttons side by side (DSFR `fr-fieldset__element--inline`)."""

    def render(self, form, context, template_pack=TEMPLATE_PACK, extra_context=None, **kwargs):
        extra_context = {**(extra_context or {}), "inline": True}
        return super().render(form, context, template_pack, extra_context=extra_context, **kwargs)
