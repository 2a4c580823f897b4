"""A django-crispy-forms template pack for the DSFR (the French State design system).

Built the way crispy-forms-gds builds the GOV.UK pack: one field template that knows every
widget kind, an error summary at the top of the form, fieldsets with a legend for groups.
The templates stay flat (no include per attribute): crispy rendering is costly otherwise.
"""
