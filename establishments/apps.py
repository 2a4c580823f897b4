from django.apps import AppConfig


class EstablishmentsConfig(AppConfig):
    name = "establishments"
    verbose_name = "Établissements et territoires"
