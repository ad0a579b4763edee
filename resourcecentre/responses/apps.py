from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "resourcecentre.responses"
    label = "responses"
