from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "resourcecentre.ops"
    label = "ops"

    def ready(self) -> None:
        from . import checks, invalidation, metrics  # noqa: F401  (registers the system checks)

        invalidation.connect()
        metrics.connect()
