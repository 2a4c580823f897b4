from django.apps import AppConfig


class CrispyDsfrConfig(AppConfig):
    name = "crispy_dsfr"
    verbose_name = "Formulaires DSFR"
