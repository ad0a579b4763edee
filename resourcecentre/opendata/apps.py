from django.apps import AppConfig


class OpenDataConfig(AppConfig):
    name = "resourcecentre.opendata"
    label = "opendata"
