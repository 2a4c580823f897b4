"""The DSFR template pack: the markup of each kind of field, errors and their summary."""

from crispy_forms.layout import Layout
from django import forms
from django.template import Context, Template

from crispy_dsfr.helper import DsfrFormHelper
from crispy_dsfr.layout import Fieldset, InlineField

COLOURS = [("bleu", "Bleu"), ("rouge", "Rouge")]


class SampleForm(forms.Form):
    name = forms.CharField(label="Nom", help_text="Tel qu'il s'écrit.")
    colour = forms.ChoiceField(label="Couleur", choices=[("", "---------"), *COLOURS])
    tags = forms.MultipleChoiceField(
        label="Étiquettes", choices=COLOURS, widget=forms.CheckboxSelectMultiple
    )
    size = forms.ChoiceField(label="Taille", choices=COLOURS, widget=forms.RadioSelect)
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label="Pièce jointe", required=False)
    agree = forms.BooleanField(label="J'accepte")


def render(template, **context):
    return Template("{% load crispy_forms_tags %}" + template).render(Context(context))


def test_each_kind_of_field_gets_its_dsfr_markup():
    html = render("{{ form|crispy }}", form=SampleForm())
    assert '<label class="fr-label" for="id_name">Nom <span class="fr-hint-text"' in html
    assert 'class="fr-input" id="id_name"' in html
    assert '<div class="fr-select-group">' in html and 'class="fr-select"' in html
    assert (
        '<legend class="fr-fieldset__legend fr-fieldset__legend--regular" id="id_tags-legend">'
        in html
    )
    assert '<div class="fr-checkbox-group">\n      <input type="checkbox" name="tags"' in html
    assert '<div class="fr-radio-group">\n      <input type="radio" name="size"' in html
    assert "<textarea" in html and "Notes (optionnel)" in html
    assert 'type="date"' in html
    assert '<div class="fr-upload-group">' in html and 'class="fr-upload"' in html
    assert '<div class="fr-checkbox-group">\n  <input type="checkbox" name="agree"' in html
    assert "dsfr=" not in html  # django-dsfr's invalid attribute is gone
    assert "data-error-summary" not in html  # no errors, no summary


def test_the_empty_choice_reads_choisir():
    html = render("{{ form|crispy }}", form=SampleForm())
    assert '<option value="" selected>Choisir…</option>' in html
    assert "---------" not in html


def test_errors_show_under_their_field_and_in_a_summary_linking_to_it():
    form = SampleForm(data={"colour": "vert"})
    html = render("{{ form|crispy }}", form=form)
    assert "Le formulaire contient 6 erreurs" in html
    assert '<a href="#id_name">Nom : Ce champ est obligatoire.</a>' in html
    # A list of boxes is reached through its first box.
    assert '<a href="#id_tags_0">Étiquettes : Ce champ est obligatoire.</a>' in html
    assert 'class="fr-input-group fr-input-group--error"' in html
    assert 'aria-invalid="true" aria-describedby="id_name-messages"' in html
    assert '<div class="fr-messages-group" id="id_name-messages" aria-live="polite">' in html
    assert 'aria-labelledby="id_tags-legend id_tags-messages"' in html


def test_a_single_error_is_singular():
    form = SampleForm(data={"name": "A", "colour": "bleu", "tags": ["bleu"], "size": "bleu"})
    form.data = {**form.data, "on": "2026-01-01"}
    html = render("{{ form|crispy }}", form=form)
    assert "Le formulaire contient 1 erreur<" in html


def test_search_forms_do_not_mark_every_field_optional():
    class SearchForm(forms.Form):
        mark_optional_fields = False
        q = forms.CharField(label="Rechercher", required=False)

    assert "(optionnel)" not in render("{{ form|crispy }}", form=SearchForm())


def test_a_helper_groups_fields_in_a_fieldset_and_lays_boxes_inline():
    form = SampleForm()
    form.helper = DsfrFormHelper()
    form.helper.layout = Layout(Fieldset("Identité", "name", InlineField("size")))
    html = render("{% crispy form %}", form=form)
    assert '<legend class="fr-fieldset__legend">Identité</legend>' in html
    assert '<div class="fr-fieldset__element"><div class="fr-input-group">' in html
    assert "fr-fieldset__element fr-fieldset__element--inline" in html
    assert "<form" not in html  # the page writes its own form tag
    assert 'name="colour"' not in html  # only the laid-out fields


def test_plain_form_rendering_goes_through_the_pack():
    # {{ form }} and as_field_group use the project renderer, i.e. the same templates.
    assert 'class="fr-input-group"' in str(SampleForm())
    assert 'class="fr-input-group"' in SampleForm()["name"].as_field_group()
