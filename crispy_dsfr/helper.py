from crispy_forms.helper import FormHelper


class DsfrFormHelper(FormHelper):
    """The page template writes the <form> tag, the CSRF token and the buttons; the helper
    renders the error summary and the fields."""

    form_tag = False
    disable_csrf = True

    def __init__(self, *fields, form=None):
        super().__init__(form)
        if fields:
            from crispy_forms.layout import Layout

            self.layout = Layout(*fields)
