from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "resourcecentre.news"
    label = "news"
