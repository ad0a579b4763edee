"""Language names from CLDR (babel), for codes such as "ja", "pt-br" or "zh-hans"."""

import datetime
import decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal

BRITISH = "en-gb"


@lru_cache(maxsize=256)
def _locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code.replace("-", "_"), sep="_")
    except (ValueError, UnknownLocaleError):
        return None


@lru_cache(maxsize=512)
def language_name(code: str, in_language: str | None = None, *, capitalised: bool = True) -> str:
    """The language's name in `in_language`, by default in itself ("日本語" for "ja"), with a
    capital as a menu shows it; `capitalised=False` gives it as a sentence writes it ("inglés")."""
    locale = _locale(code)
    if locale is None:
        return code
    display = _locale(in_language) if in_language else locale
    name = locale.get_display_name(display or locale) or code
    return name[:1].upper() + name[1:] if capitalised else name


def text_direction(code: str) -> str:
    locale = _locale(code)
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"


def same_language(one: str, other: str) -> bool:
    """Whether a reader of `one` reads `other`: "pt-br" reads "pt", but Chinese scripts differ."""
    one, other = one.lower(), other.lower()
    if one == other:
        return True
    base = one.split("-")[0]
    return base != "zh" and base == other.split("-")[0]


def format_local_date(value: datetime.date, code: str, *, format: str = "long") -> str:
    """A date as readers of `code` write it: "3 December 2026", "3 de diciembre de 2026",
    "2026年12月3日". The site writes British English, as the Resource Centre does."""
    code = BRITISH if code == "en" else code
    return format_date(value, format=format, locale=_locale(code) or _locale(BRITISH))


def format_local_number(value: int | float | decimal.Decimal, code: str) -> str:
    """A number with the locale's digits and separators: "12,345", "12 345", "١٢٬٣٤٥"."""
    return format_decimal(value, locale=_locale(code) or _locale(BRITISH))
