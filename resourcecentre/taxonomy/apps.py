from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "resourcecentre.taxonomy"
    label = "taxonomy"
