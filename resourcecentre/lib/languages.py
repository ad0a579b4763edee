"""Language names from CLDR (babel), for codes such as "ja", "pt-br" or "zh-hans"."""

from functools import lru_cache

from babel import Locale, UnknownLocaleError


def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code.replace("-", "_"), sep="_")
    except (ValueError, UnknownLocaleError):
        return None


@lru_cache(maxsize=512)
def language_name(code: str, in_language: str | None = None) -> str:
    """The language's name in `in_language`, by default in itself ("日本語" for "ja")."""
    locale = _locale(code)
    if locale is None:
        return code
    display = _locale(in_language) if in_language else locale
    name = locale.get_display_name(display or locale) or code
    return name[:1].upper() + name[1:]


def text_direction(code: str) -> str:
    locale = _locale(code)
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"
