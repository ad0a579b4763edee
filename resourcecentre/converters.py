from django.urls import register_converter


class UnicodeSlugConverter:
    """Slugs keep unicode letters, so a Japanese headline keeps a readable URL."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class FeedFormatConverter:
    regex = "rss|atom|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "uslug")
register_converter(FeedFormatConverter, "feed")
