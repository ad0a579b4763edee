from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "resourcecentre.feeds"
    label = "feeds"
