from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "resourcecentre.ingest"
    label = "ingest"
