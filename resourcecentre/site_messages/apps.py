from django.apps import AppConfig


class SiteMessagesConfig(AppConfig):
    name = "resourcecentre.site_messages"
    label = "site_messages"

    def ready(self) -> None:
        from django.core.cache import cache
        from django.db.models.signals import post_delete, post_save

        from .models import SiteMessage
        from .queries import CACHE_KEY

        def forget_active_messages(**kwargs) -> None:
            cache.delete(CACHE_KEY)

        post_save.connect(forget_active_messages, sender=SiteMessage, weak=False)
        post_delete.connect(forget_active_messages, sender=SiteMessage, weak=False)
