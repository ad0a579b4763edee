"""Countries in the text (`data/countries.json`, mapped to `taxonomy.Country` by ISO code), and
how sure a match of one is.

* Names (pycountry, CLDR in the content languages, everyday forms): 0.9; capitals and
  major places: 0.75 ("weak" places such as "Victoria" or "Washington": 0.45); demonyms: 0.7.
  English forms and forms in non-Latin scripts are looked for in any text; Latin-script
  forms of other languages only in a text of that language ("Mỹ" is the United States in
  Vietnamese, not the English word "my").
* Names and places must be capitalised in cased scripts ("china" the porcelain, "turkey"
  the bird). Longer names win ("Niger Delta" is Nigeria, "New Jersey" the United States),
  and regions block the countries inside them ("Latin America", "Gulf of Guinea").
* Ambiguous names (Georgia, Jordan, Chad, Israel, Turkey, China, Niger, Jersey, Congo,
  Korea, America) drop to 0.3 when the item has a cue against them (Georgia with
  "Atlanta", Turkey with "poultry") or, for given names, when a capitalised surname follows
  ("Jordan Ellis", "Chad Morrison") or a title precedes ("Mr Jordan").
* A country standing for a company's nationality ("the Japanese retailer", "Italy's
  Velora", "a Cyprus-based firm") is not what the item is about: 0.35. A country named
  inside a company name ("Pétroles du Golfe de Guinée") is not a country mention at all.
"""

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from .companies import COMPANY_NOUNS
from .folding import cased, fold
from .matching import SUGGEST_THRESHOLD, Hit, words_after, words_before

COUNTRIES_FILE = Path(__file__).resolve().parent.parent / "data" / "countries.json"
_TITLES = {"mr", "mrs", "ms", "miss", "dr", "sir", "lady", "lord"}


@lru_cache(maxsize=1)
def country_table() -> dict:
    return json.loads(COUNTRIES_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def demonym_words() -> frozenset[str]:
    """The folded demonyms of every country, in every language."""
    table = country_table()["countries"]
    return frozenset(
        fold(form) for row in table.values() for forms in row.get("demonyms", {}).values() for form in forms
    )


def _latin(text: str) -> bool:
    return all(ord(c) < 0x250 for c in text if c.isalpha())


def country_forms(table: dict, ids: dict[str, int]) -> Iterator[tuple[int, str, str, frozenset[str] | None]]:
    """(Country.pk, form, "name" | "place" | "weak_place" | "demonym", languages or None for
    any) of every country of `ids` (ISO code → Country.pk), then the regions that block the
    countries inside them, as (0, form, "blocker", None)."""
    weak_places = set(table.get("weak_places", []))
    for code, row in table["countries"].items():
        if code not in ids:
            continue
        for sub, key in (("name", "names"), ("demonym", "demonyms"), ("place", "places")):
            for language, forms in row.get(key, {}).items():
                for form in forms:
                    kind = "weak_place" if sub == "place" and form in weak_places else sub
                    scoped = language != "en" and _latin(form)
                    yield ids[code], form, kind, frozenset({language}) if scoped else None
    for form in table.get("blockers", []):
        yield 0, form, "blocker", None


def ambiguous_names(table: dict, ids: dict[str, int]) -> dict[str, dict]:
    """The rules of names that are also words or given names, by folded name: the folded cues
    against the country, and whether the name is a given name."""
    return {
        fold(rule["names"][0]): {**rule, "against": [fold(a) for a in rule["against"]]}
        for code, rule in table.get("ambiguous", {}).items()
        if code in ids
    }


def score_countries(
    hits: list[Hit],
    companies: list[Hit],
    fields: dict[str, str],
    item: str,
    *,
    ambiguous: dict[str, dict],
    places: frozenset[str],
) -> None:
    """Set each country hit's confidence from its context. `item`: the folded title and text,
    where cues against ambiguous names are looked for; `places`: every folded country form,
    which a given name is not followed by."""
    named = [h for h in companies if h.confidence >= SUGGEST_THRESHOLD]
    for hit in hits:
        entry, text = hit.entry, fields[hit.field]
        matched = text[hit.start : hit.end]
        base = {"name": 0.9, "place": 0.75, "weak_place": 0.45, "demonym": 0.7}[entry.sub]
        if entry.sub != "demonym" and cased(matched) and not any(c.isupper() for c in matched):
            hit.confidence = 0.0
            continue
        if entry.sub == "name" and len(entry.form) <= 3 and entry.form.isupper() and not matched.isupper():
            hit.confidence = 0.0  # "US", "UK" but not "us"
            continue
        hit.confidence = base
        rule = ambiguous.get(hit.pattern) if entry.sub == "name" else None
        if rule:
            after = text[hit.end : hit.end + 40]
            next_word = re.match(r"\s+([A-Z][a-z]+)", after)
            before = words_before(text, hit.start, 1)
            against = any(cue in item for cue in rule["against"])
            person = rule.get("person") and (
                (next_word and fold(next_word.group(1)) not in places) or (before and before[-1] in _TITLES)
            )
            if against or person:
                hit.confidence = 0.3
        if _nationality(hit, text, named):
            hit.confidence = min(hit.confidence, 0.35)


def _nationality(hit: Hit, text: str, companies: list[Hit]) -> bool:
    """Whether the country is named as the nationality or seat of a company."""
    if re.match(r"[-‑](based|owned|headquartered|listed)\b", text[hit.end : hit.end + 20]):
        return True
    if words_before(text, hit.start, 2) in (
        ["based", "in"],
        ["headquartered", "in"],
        ["registered", "in"],
    ):
        return True
    after = words_after(text, hit.end, 3)
    if hit.entry.sub == "name":
        if after[:1] != ["s"]:  # "Italy's Velora", "Norway's sovereign wealth fund"
            return False
        after = after[1:]
    elif hit.entry.sub != "demonym":
        return False
    if set(after[:2]) & COMPANY_NOUNS:
        return True
    return any(c.field == hit.field and 0 < c.start - hit.end <= 4 for c in companies)
