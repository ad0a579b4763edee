"""Issues in the text (`IssueKeyword`: issue, language, phrase; the issue's own name counts as
English), and how sure the evidence for one is.

* Phrases of the item's language are looked for (all languages when it is unknown). A
  phrase ending in "*" matches any word it begins ("sindicat*"). A phrase may hold one
  placeholder, {demonym} or {country} ("{demonym} workers", "workers from {country}"),
  standing for every demonym or country name of its language; such a hit counts only when
  the item is also located in another country (nationals of one country working in
  another are migrant workers; Bangladeshi workers in Bangladesh are not).
* A phrase of several words or of three or more characters of a script without spaces is
  worth 0.7, one word 0.5 (so any phrase found is a suggestion); a hit in the title counts
  1.3 times. Distinct phrases combine as independent evidence (1 - Π(1 - w)); repeating a
  phrase adds nothing.
"""

from collections import defaultdict

from .folding import fold_cached, strong_pattern
from .matching import ISSUE, Entry, Hit, Tag, to_tag

# Issue evidence: a phrase of several words (or of 3+ characters of a script without spaces),
# a single word, and how much more a hit in the title counts.
STRONG_PHRASE, WEAK_PHRASE, TITLE_FACTOR = 0.7, 0.5, 1.3
PLACEHOLDERS = ("demonym", "country")

Fillers = dict[tuple[str, str], list[tuple[str, int]]]


def placeholder_fillers(table: dict, ids: dict[str, int]) -> Fillers:
    """What {demonym} and {country} stand for in lexicon phrases of each language: the
    country table's demonyms and names of that language (English ones for English), with the
    Country.pk of each (`ids`: ISO code → Country.pk)."""
    fillers: Fillers = defaultdict(list)
    for code, row in table["countries"].items():
        if code not in ids:
            continue
        for placeholder, key in (("demonym", "demonyms"), ("country", "names")):
            for language, forms in row.get(key, {}).items():
                fillers[(placeholder, language)].extend((form, ids[code]) for form in forms)
    return fillers


def keyword_entries(issue_id: int, language: str, phrase: str, fillers: Fillers) -> list[tuple[str, Entry]]:
    """The folded patterns a lexicon phrase is found by (one per filler of its placeholder),
    each with its entry."""
    phrase = phrase.strip()
    prefix = phrase.endswith("*")
    languages = frozenset({language}) if language else None
    placeholder = next((p for p in PLACEHOLDERS if "{" + p + "}" in phrase), None)
    if placeholder is None:
        expansions = [(phrase.rstrip("*"), 0)]
    else:
        expansions = [
            (phrase.rstrip("*").replace("{" + placeholder + "}", form), country_id)
            for form, country_id in fillers.get((placeholder, language), [])
        ]
    found = []
    for text, country_id in expansions:
        pattern = fold_cached(text)
        if pattern:
            strength = "strong" if strong_pattern(pattern) else "weak"
            found.append(
                (
                    pattern,
                    Entry(ISSUE, issue_id, len(pattern), phrase, strength, languages, prefix, country_id),
                )
            )
    return found


def combine_issues(hits: list[Hit]) -> list[Tag]:
    """One tag per issue; each distinct phrase is one piece of evidence, however often it occurs."""
    by_issue: dict[int, dict[str, tuple[float, Hit]]] = defaultdict(dict)
    for hit in hits:
        phrase = hit.entry.form
        weight = STRONG_PHRASE if hit.entry.sub == "strong" else WEAK_PHRASE
        if hit.field == "title":
            weight = min(0.9, weight * TITLE_FACTOR)
        current = by_issue[hit.entry.term_id].get(phrase)
        if current is None or weight > current[0]:
            by_issue[hit.entry.term_id][phrase] = (weight, hit)
    tags = []
    for phrases in by_issue.values():
        missing = 1.0
        for weight, _ in phrases.values():
            missing *= 1 - weight
        best = max(phrases.values(), key=lambda w: (w[0], w[1].field == "title"))[1]
        tags.append(to_tag(best, min(0.95, 1 - missing)))
    return tags
