from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "resourcecentre.news"
    label = "news"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import ComponentType, Source
        from .rendering import fragments_invalidate

        def forget_rendered_components(**kwargs) -> None:
            fragments_invalidate()

        for model in (ComponentType, Source):
            post_save.connect(forget_rendered_components, sender=model, weak=False)
            post_delete.connect(forget_rendered_components, sender=model, weak=False)
