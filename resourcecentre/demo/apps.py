from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "resourcecentre.demo"
    label = "demo"
