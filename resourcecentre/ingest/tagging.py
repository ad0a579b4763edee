"""Step 4 of the pipeline: suggest the companies, countries and issues an item is about.

Every name, place and keyword is folded the same way as the text (case, accents, Arabic
letter variants, punctuation; full stops inside words are dropped so that "S.A." reads "sa")
and found in one pass of an Aho-Corasick automaton (pyahocorasick) over the folded text.
Spans are mapped back to the original text. In scripts written with spaces a match must
start and end on word boundaries; Chinese, Japanese, Thai and the like have none to check,
and Arabic prefixes (و ب ل ف ك ال) and suffixes (ي ية يون يين) are allowed around a word.

Companies (the register: `Company.name` and every `CompanyName`, alias or former name)
* Legal forms are removed with rigour's organisation-type table ("plc", "S.A.", "GmbH",
  "Co., Ltd.", "PJSC", "ПАО", "المحدودة"…) plus a few it lacks ("K.K.", "Corporation",
  "W.L.L.", "株式会社", "有限公司", "บริษัท … จำกัด"…), so "Kestrel Mining" finds
  "Kestrel Mining plc" and "さくら電機" finds "さくら電機株式会社".
* A name of two or more words (or three or more characters of a script without spaces)
  is *strong*: 0.9. A one-word name ("Apple", "Shell", "Total", "Kestrel") or an acronym
  is *weak*, because it may be a common word. A weak match counts only with evidence:
  - another, strong, name of the same company in the item: 0.85;
  - a company cue next to it: a verb of speech or a company noun after it ("Velora said",
    "Apple's chief executive", "Shell shares", "Shell plc"), or a company noun before it
    ("the retailer Target", "la empresa Marisco"), in en/es/fr/pt/de/ar/ja/zh: 0.8;
  - capitalised in the middle of a sentence of a text that is not title-cased (and not
    German, where every noun is): 0.6;
  - otherwise (first word of a sentence or of a title, "Amazon rainforest"): 0.4, below
    `SUGGEST_THRESHOLD`, so it is shown but not suggested.
  A geographical or natural word near it ("the Amazon basin", "bluefin tuna", "rare
  kestrel pairs") takes a weak match down to 0.2.
* In cased scripts an all-lowercase match of a capitalised name is no match ("the gap",
  "an apple"); acronyms ("SMK", "IBM") must be written in capitals.

Countries (`data/countries.json`, mapped to `taxonomy.Country` by ISO code)
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

Issues (`IssueKeyword`: issue, language, phrase; the issue's own name counts as English)
* Phrases of the item's language are looked for (all languages when it is unknown). A
  phrase ending in "*" matches any word it begins ("sindicat*"). A phrase may hold one
  placeholder, {demonym} or {country} ("{demonym} workers", "workers from {country}"),
  standing for every demonym or country name of its language; such a hit counts only when
  the item is also located in another country (nationals of one country working in
  another are migrant workers; Bangladeshi workers in Bangladesh are not). A phrase of several words
  or of three or more characters of a script without spaces is worth 0.7, one word 0.5 (so
  any phrase found is a suggestion); a hit in the title counts 1.3 times. Distinct phrases
  combine as independent evidence (1 - Π(1 - w)); repeating a phrase adds nothing.

`get_tagger()` builds the tagger once per process and rebuilds it when the register or the
lexicon changes: at once in this process (model signals), and in other processes when a
cheap fingerprint of the tables (counts, latest change, total length of names) differs,
checked at most every `RECHECK_SECONDS`.
"""

from __future__ import annotations

import bisect
import json
import re
import threading
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

import ahocorasick
from django.db.models import Count, Max, Sum
from django.db.models.functions import Length
from django.db.models.signals import post_delete, post_save
from rigour.names import remove_org_types

from resourcecentre.companies.models import Company, CompanyName
from resourcecentre.ingest.models import IssueKeyword
from resourcecentre.taxonomy.models import Country, Issue

COMPANY, COUNTRY, ISSUE = "company", "country", "issue"
SUGGEST_THRESHOLD = 0.5
RECHECK_SECONDS = 30.0
# Issue evidence: a phrase of several words (or of 3+ characters of a script without spaces),
# a single word, and how much more a hit in the title counts.
STRONG_PHRASE, WEAK_PHRASE, TITLE_FACTOR = 0.7, 0.5, 1.3
COUNTRIES_FILE = Path(__file__).parent / "data" / "countries.json"

# --- Folding -------------------------------------------------------------------------------

_DROP = "\x00"
_DROPPED = set(".\u00ad\u200b\u200c\u200d\u2060\ufeff\u0640")  # full stop, soft hyphen, zero widths, tatweel
_ARABIC = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"}


def _fold_char(char: str) -> str:
    """One character for one, so that offsets survive; _DROP for characters to delete."""
    if char in _DROPPED:
        return _DROP
    if char in _ARABIC:
        return _ARABIC[char]
    if char == "&":
        return char
    category = unicodedata.category(char)
    if category == "Mn" and ord(char) < 0x900:
        return _DROP  # accents and Arabic vowel marks
    if not (char.isalnum() or category[0] == "M"):
        return " "
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if len(base) != 1:
        base = unicodedata.normalize("NFKC", char)
    folded = base.casefold()
    if len(folded) == 1:
        return folded
    lower = char.lower()
    return lower if len(lower) == 1 else char


class _FoldTable(dict):
    def __missing__(self, code: int) -> str:
        value = self[code] = _fold_char(chr(code))
        return value


_TABLE = _FoldTable()
_TOKEN = re.compile(r"[^ ]+")


class Folded:
    """A text folded for matching, with a map from folded offsets back to the original."""

    __slots__ = ("original", "text", "_starts", "_origins", "_maps")

    def __init__(self, original: str) -> None:
        self.original = original
        tokens = [(match.start(), match.group()) for match in _TOKEN.finditer(original.translate(_TABLE))]
        self._maps: dict[int, list[int]] = {}
        if any(_DROP in token for _, token in tokens):
            kept = []
            for origin, token in tokens:
                if _DROP in token:
                    offsets = [origin + i for i, c in enumerate(token) if c != _DROP]
                    if not offsets:
                        continue
                    self._maps[len(kept)] = offsets
                    token = token.replace(_DROP, "")
                kept.append((origin, token))
            tokens = kept
        self._origins = [origin for origin, _ in tokens]
        words = [token for _, token in tokens]
        self._starts = list(accumulate((len(w) + 1 for w in words[:-1]), initial=0)) if words else []
        self.text = " ".join(words)

    def origin(self, index: int) -> int:
        """The original offset of the folded character at `index`."""
        segment = bisect.bisect_right(self._starts, index) - 1
        delta = index - self._starts[segment]
        offsets = self._maps.get(segment)
        return offsets[delta] if offsets is not None else self._origins[segment] + delta

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.origin(start), self.origin(end - 1) + 1


def fold(text: str) -> str:
    return Folded(text).text


# Names, places and phrases are folded again at every rebuild of the tagger.
_fold_cached = lru_cache(maxsize=200_000)(fold)


# --- Scripts and boundaries -----------------------------------------------------------------


def _unspaced(char: str) -> bool:
    """Characters of scripts written without spaces between words."""
    code = ord(char)
    return (
        0x0E00 <= code <= 0x0EFF  # Thai, Lao
        or 0x1000 <= code <= 0x109F  # Myanmar
        or 0x1780 <= code <= 0x17FF  # Khmer
        or 0x2E80 <= code <= 0xA4CF  # CJK, kana
        or 0xF900 <= code <= 0xFAFF
        or 0xFF66 <= code <= 0xFF9F
        or 0x20000 <= code <= 0x3FFFF
    )


def _arabic(char: str) -> bool:
    return 0x0600 <= ord(char) <= 0x06FF


_ARABIC_PREFIXES = {"و", "ف", "ب", "ل", "ك", "ال", "وال", "بال", "فال", "كال", "لل", "ولل", "وب", "ول", "وك"}
_ARABIC_SUFFIXES = {"ي", "يه", "يون", "يين", "ين", "ه"}


def _strong_pattern(pattern: str) -> bool:
    if " " in pattern:
        return True
    return len(pattern) >= 3 and any(_unspaced(c) for c in pattern)


def _boundary_ok(text: str, start: int, end: int, prefix: bool = False) -> bool:
    first, last = text[start], text[end - 1]
    if start > 0 and text[start - 1] != " " and not _unspaced(first) and not _unspaced(text[start - 1]):
        if not _arabic(first):
            return False
        word_start = text.rfind(" ", 0, start) + 1
        if text[word_start:start] not in _ARABIC_PREFIXES:
            return False
    if prefix:
        return True
    if end < len(text) and text[end] != " " and not _unspaced(last) and not _unspaced(text[end]):
        if not _arabic(last):
            return False
        word_end = text.find(" ", end)
        if text[end : word_end if word_end >= 0 else len(text)] not in _ARABIC_SUFFIXES:
            return False
    return True


def _cased(text: str) -> bool:
    return any(c.isupper() for c in text) or any(c.islower() for c in text)


# --- Legal forms ------------------------------------------------------------------------------

_EXTRA_LEGAL_WORDS = {
    "kk", "corporation", "corp", "company", "co", "incorporated", "limited", "wll", "fz", "fzco", "fze",
    "fz llc", "llc", "asa", "sac", "saa", "sas", "sl", "slu", "ltda", "tbk", "pt", "jsc", "ojsc", "pjsc",
    "cjsc", "ooo", "zao", "oao", "pao", "berhad", "bhd", "sdn bhd", "pty", "pty ltd", "nv", "bv", "se",
    "the", "cong ty", "cong ty co phan", "cong ty tnhh", "tnhh",
}  # fmt: skip
_UNSPACED_LEGAL_AFFIXES = (
    "株式会社", "有限会社", "合同会社", "(株)", "股份有限公司", "有限责任公司", "有限公司",
    "集团", "公司", "주식회사", "(주)", "บริษัท", "จำกัด", "(มหาชน)", "লিমিটেড",
    "شركه", "ش م م", "ذ م م",
)  # fmt: skip
_GENERIC_WORDS = {"group", "holdings", "holding", "technology", "technologies", "international", "global"}


def _strip_words(words: list[str]) -> list[str]:
    changed = True
    while changed and len(words) > 1:
        changed = False
        for size in (4, 3, 2, 1):
            if len(words) > size and " ".join(words[-size:]) in _EXTRA_LEGAL_WORDS:
                words, changed = words[:-size], True
                break
            if len(words) > size and " ".join(words[:size]) in _EXTRA_LEGAL_WORDS:
                words, changed = words[size:], True
                break
    return words


@lru_cache(maxsize=1)
def _unspaced_affixes() -> tuple[str, ...]:
    folded = (fold(affix) for affix in _UNSPACED_LEGAL_AFFIXES)
    return tuple(sorted({affix for affix in folded if affix}, key=len, reverse=True))


def _strip_unspaced(name: str) -> str:
    changed = True
    while changed:
        changed = False
        for affix in _unspaced_affixes():
            if name.startswith(affix) and len(name) > len(affix) + 1:
                name, changed = name[len(affix) :].strip(), True
            if name.endswith(affix) and len(name) > len(affix) + 1:
                name, changed = name[: -len(affix)].strip(), True
    return name


@lru_cache(maxsize=100_000)
def company_variants(name: str) -> frozenset[str]:
    """The folded forms a company name is found by: as registered, and without legal form."""
    folded = fold(name)
    if not folded:
        return frozenset()
    forms = {folded}
    bare = " ".join(remove_org_types(folded).split()) or folded
    bare = " ".join(_strip_words(bare.split()))
    bare = _strip_unspaced(bare)
    forms.add(bare)
    if "&" in bare:
        forms.add(" ".join(bare.replace("&", " and ").split()))
        forms.add(" ".join(bare.replace("&", " ").split()))
    words = bare.split()
    if len(words) > 2 and words[-1] in _GENERIC_WORDS:
        forms.add(" ".join(words[:-1]))
    return frozenset(f for f in forms if len(f) > 1 or any(_unspaced(c) for c in f))


# --- Context cues -----------------------------------------------------------------------------

_CUES_AFTER = set(
    """said says told denied denies announced announces stated confirmed confirms declined responded replied
    acknowledged admitted spokesperson spokesman spokeswoman ceo chief executive shares stock subsidiary
    subsidiaries supplier suppliers brand brands products stores inc ltd plc corp llc sa ag gmbh
    dijo dice afirmó afirma negó niega declaró aseguró asegura sostiene señaló indicó portavoz filial
    proveedores acciones a déclaré affirme assure nie dit indique porte parole filiale fournisseurs actions
    disse afirmou afirma negou informou declarou porta voz fornecedores ações sagte sagt erklärte erklärt
    teilte wies kündigte sprecher sprecherin tochter lieferanten aktie
    قالت قال اعلنت اعلن نفت نفى ذكرت
    は が 社 表示 称 公司""".split()  # noqa: SIM905 - a line per language reads best
)
_CUES_BEFORE = set(
    """company firm group retailer brand supplier manufacturer maker miner bank investor operator owner
    chain insurer conglomerate subsidiary contractor buyer platform app startup
    empresa compañía firma grupo marca minera filial proveedor cadena aplicación
    entreprise société groupe marque minière filiale fournisseur application
    companhia mineradora fornecedora grupo aplicativo unternehmen konzern firma händler hersteller
    شركه تطبيق مجموعه لدي""".split()  # noqa: SIM905 - a line per language reads best
)
_NATURE = set(
    """rainforest forest forests river rivers basin jungle delta valley lake sea ocean mountain mountains
    species bird birds tuna fish pairs breeding wildlife tree trees fruit orchard orchards harvest
    selva río rio bosque floresta forêt fleuve bassin amazonía amazonia amazônia""".split()  # noqa: SIM905 - a line per language reads best
)
_COMPANY_NOUNS = set(
    """company companies firm firms group retailer retailers brand brands multinational giant miner
    mining bank banks investor investors fund manufacturer maker makers supermarket chain owner buyer
    conglomerate insurer trader developer operator parent based owned headquartered registered
    empresa grupo entreprise groupe société unternehmen konzern""".split()  # noqa: SIM905 - a line per language reads best
)
_TITLES = {"mr", "mrs", "ms", "miss", "dr", "sir", "lady", "lord"}
_SENTENCE_END = set('.!?:;\n"“”—–|。！？؟')
_CLAUSE_END = ".!?:;。！？؟：\n"
_WORD = re.compile(r"\w+")


def _words_before(text: str, start: int, count: int) -> list[str]:
    window = text[max(0, start - 60) : start]
    cut = max((window.rfind(c) for c in _CLAUSE_END), default=-1)
    return [w.casefold() for w in _WORD.findall(window[cut + 1 :])][-count:]


def _words_after(text: str, end: int, count: int) -> list[str]:
    window = text[end : end + 60]
    cuts = [i for i in (window.find(c) for c in _CLAUSE_END) if i >= 0]
    return [w.casefold() for w in _WORD.findall(window[: min(cuts) if cuts else len(window)])][:count]


def _sentence_initial(text: str, start: int) -> bool:
    index = start - 1
    while index >= 0 and text[index] in " \t'‘\"“([«¿¡":
        index -= 1
    return index < 0 or text[index] in _SENTENCE_END


def _title_cased(text: str) -> bool:
    words = [w for w in _WORD.findall(text) if w[0].isalpha() and len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


# --- The tagger --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    kind: str  # "company" | "country" | "issue"
    term_id: int  # Company.pk, Country.pk or Issue.pk
    confidence: float  # 0..1
    matched: str  # the text that triggered it
    start: int  # span in the field's text
    end: int
    field: str  # "title" | "text"


@dataclass(frozen=True)
class _Entry:
    kind: str
    term_id: int
    length: int
    form: str  # as written in the register, lexicon or country table
    sub: str = ""  # company: "strong" | "weak" | "acronym"; country: "name" | "place" | ...
    languages: frozenset[str] | None = None  # None: any language
    prefix: bool = False  # issue phrases ending in "*"
    country_id: int = 0  # issue phrases with a {demonym} or {country} placeholder


@dataclass
class _Hit:
    entry: _Entry
    field: str
    start: int  # original offsets
    end: int
    fstart: int  # folded offsets
    fend: int
    matched: str
    pattern: str
    confidence: float = 0.0


def _latin(text: str) -> bool:
    return all(ord(c) < 0x250 for c in text if c.isalpha())


class Tagger:
    def __init__(
        self,
        companies: list[tuple[int, str]],
        countries: dict[str, int],
        keywords: list[tuple[int, str, str]],
        country_table: dict | None = None,
    ) -> None:
        """`companies`: (Company.pk, name) for every name and alias; `countries`: ISO code →
        Country.pk; `keywords`: (Issue.pk, language, phrase)."""
        self._automaton = ahocorasick.Automaton()
        self._entries: dict[str, list[_Entry]] = defaultdict(list)
        for company_id, name in companies:
            self._add_company(company_id, name)
        table = country_table if country_table is not None else _country_table()
        self._ambiguous: dict[str, dict] = {}
        self._add_countries(table, countries)
        self._fillers = _placeholder_fillers(table, countries)
        for issue_id, language, phrase in keywords:
            self._add_keyword(issue_id, language, phrase)
        for pattern, entries in self._entries.items():
            self._automaton.add_word(pattern, tuple(entries))
        self._places = frozenset(
            p for p, entries in self._entries.items() if any(e.kind == COUNTRY for e in entries)
        )
        if self._entries:
            self._automaton.make_automaton()

    @classmethod
    def from_database(cls) -> Tagger:
        names = list(Company.objects.values_list("pk", "name"))
        names += list(CompanyName.objects.values_list("company_id", "name"))
        countries = dict(Country.objects.values_list("code", "pk"))
        keywords = [(pk, "en", name) for pk, name in Issue.objects.values_list("pk", "name")]
        keywords += list(IssueKeyword.objects.values_list("issue_id", "language", "phrase"))
        return cls(names, countries, keywords)

    # Building

    def _add(self, pattern: str, entry: _Entry) -> None:
        """One entry per term and pattern, for the union of the languages it is listed in."""
        existing = self._entries[pattern]
        for index, other in enumerate(existing):
            if other.kind == entry.kind and other.term_id == entry.term_id:
                if other.languages is not None:
                    languages = None if entry.languages is None else other.languages | entry.languages
                    existing[index] = replace(entry if languages is None else other, languages=languages)
                return
        existing.append(entry)

    def _add_company(self, company_id: int, name: str) -> None:
        acronym = name.strip().isupper() and " " not in name.strip() and len(name.strip()) <= 6
        for pattern in company_variants(name):
            sub = "acronym" if acronym else "strong" if _strong_pattern(pattern) else "weak"
            self._add(pattern, _Entry(COMPANY, company_id, len(pattern), name, sub))

    def _add_countries(self, table: dict, ids: dict[str, int]) -> None:
        weak_places = set(table.get("weak_places", []))
        for code, row in table["countries"].items():
            if code not in ids:
                continue
            for sub, key in (("name", "names"), ("demonym", "demonyms"), ("place", "places")):
                for language, forms in row.get(key, {}).items():
                    for form in forms:
                        kind = "weak_place" if sub == "place" and form in weak_places else sub
                        scoped = language != "en" and _latin(form)
                        self._add_country_form(
                            ids[code], form, kind, frozenset({language}) if scoped else None
                        )
        for code, rule in table.get("ambiguous", {}).items():
            if code in ids:
                self._ambiguous[fold(rule["names"][0])] = {
                    **rule,
                    "against": [fold(a) for a in rule["against"]],
                }
        for form in table.get("blockers", []):
            self._add_country_form(0, form, "blocker", None)

    def _add_country_form(
        self, country_id: int, form: str, sub: str, languages: frozenset[str] | None
    ) -> None:
        pattern = _fold_cached(form)
        if not pattern:
            return
        entries = self._entries[pattern]
        for entry in list(entries):
            if entry.kind == COUNTRY and entry.term_id != country_id and entry.languages == languages:
                # The same form for two countries (عمان: Oman, and Amman): a name wins over a place.
                if sub != "name" or entry.sub == "name":
                    return
                entries.remove(entry)
        self._add(pattern, _Entry(COUNTRY, country_id, len(pattern), form, sub, languages))

    def _add_keyword(self, issue_id: int, language: str, phrase: str) -> None:
        phrase = phrase.strip()
        prefix = phrase.endswith("*")
        languages = frozenset({language}) if language else None
        placeholder = next((p for p in PLACEHOLDERS if "{" + p + "}" in phrase), None)
        if placeholder is None:
            expansions = [(phrase.rstrip("*"), 0)]
        else:
            fillers = self._fillers.get((placeholder, language), [])
            expansions = [
                (phrase.rstrip("*").replace("{" + placeholder + "}", form), cid) for form, cid in fillers
            ]
        for text, country_id in expansions:
            pattern = _fold_cached(text)
            if pattern:
                strength = "strong" if _strong_pattern(pattern) else "weak"
                self._add(
                    pattern,
                    _Entry(ISSUE, issue_id, len(pattern), phrase, strength, languages, prefix, country_id),
                )

    # Matching

    def _hits(self, field: str, text: str, language: str) -> tuple[list[_Hit], Folded]:
        folded = Folded(text)
        hits = []
        for end, entries in self._automaton.iter(folded.text):
            end += 1
            for entry in entries:
                start = end - entry.length
                if entry.languages is not None and language and language not in entry.languages:
                    continue
                if not _boundary_ok(folded.text, start, end, entry.prefix):
                    continue
                ostart, oend = folded.span(start, end)
                hits.append(
                    _Hit(entry, field, ostart, oend, start, end, text[ostart:oend], folded.text[start:end])
                )
        return hits, folded

    def tag(self, title: str, text: str, language: str = "") -> list[Tag]:
        fields = {"title": title or "", "text": text or ""}
        hits: list[_Hit] = []
        folded = []
        for field, value in fields.items():
            if value:
                field_hits, field_folded = self._hits(field, value, language)
                hits.extend(field_hits)
                folded.append(field_folded.text)
        by_kind: dict[str, list[_Hit]] = defaultdict(list)
        for hit in hits:
            by_kind[hit.entry.kind].append(hit)
        companies = _longest(by_kind[COMPANY])
        self._score_companies(companies, fields, language)
        countries = [h for h in _longest(by_kind[COUNTRY]) if h.entry.sub != "blocker"]
        countries = [h for h in countries if not _inside(h, companies)]
        self._score_countries(countries, companies, fields, " \n ".join(folded))
        located = {h.entry.term_id for h in countries if h.confidence >= SUGGEST_THRESHOLD}
        issues = [
            h for h in _longest(by_kind[ISSUE]) if not h.entry.country_id or located - {h.entry.country_id}
        ]
        tags = _best(companies) + _best(countries) + _combine_issues(issues)
        tags.sort(key=lambda t: (t.kind, -t.confidence, t.field != "title", t.start))
        return tags

    def _score_companies(self, hits: list[_Hit], fields: dict[str, str], language: str) -> None:
        strong_ids = set()
        for hit in hits:
            text = fields[hit.field]
            matched = text[hit.start : hit.end]
            entry = hit.entry
            if entry.sub == "acronym":
                ok = matched.replace(".", "").isupper()
            elif _cased(matched) and matched.islower() and not entry.form.islower():
                ok = False
            else:
                ok = True
            if not ok:
                hit.confidence = 0.0
            elif entry.sub == "strong":
                hit.confidence = 0.9
                strong_ids.add(entry.term_id)
            else:
                hit.confidence = -1.0  # decided below, once strong names are known
        for hit in hits:
            if hit.confidence != -1.0:
                continue
            text = fields[hit.field]
            before, after = _words_before(text, hit.start, 4), _words_after(text, hit.end, 3)
            if set(before[-3:] + after[:4]) & _NATURE or (
                len(before) >= 2 and before[-2] == "the" and before[-1] in _demonym_words()
            ):
                hit.confidence = 0.2
            elif hit.entry.term_id in strong_ids:
                hit.confidence = 0.85
            elif set(after[:3]) & _CUES_AFTER or set(before) & _CUES_BEFORE:
                hit.confidence = 0.8
            elif (
                _cased(text[hit.start : hit.end])
                and language != "de"
                and not _sentence_initial(text, hit.start)
                and not (hit.field == "title" and _title_cased(text))
            ):
                hit.confidence = 0.6 if hit.entry.sub == "weak" else 0.55
            else:
                hit.confidence = 0.4
        shared = defaultdict(set)
        for hit in hits:
            shared[(hit.field, hit.fstart, hit.fend)].add(hit.entry.term_id)
        for hit in hits:
            if len(shared[(hit.field, hit.fstart, hit.fend)]) > 1:
                hit.confidence *= 0.6  # two companies go by this name

    def _score_countries(
        self, hits: list[_Hit], companies: list[_Hit], fields: dict[str, str], item: str
    ) -> None:
        """`item`: the folded title and text, where cues against ambiguous names are looked for."""
        named = [h for h in companies if h.confidence >= SUGGEST_THRESHOLD]
        for hit in hits:
            entry, text = hit.entry, fields[hit.field]
            matched = text[hit.start : hit.end]
            base = {"name": 0.9, "place": 0.75, "weak_place": 0.45, "demonym": 0.7}[entry.sub]
            if entry.sub != "demonym" and _cased(matched) and not any(c.isupper() for c in matched):
                hit.confidence = 0.0
                continue
            if (
                entry.sub == "name"
                and len(entry.form) <= 3
                and entry.form.isupper()
                and not matched.isupper()
            ):
                hit.confidence = 0.0  # "US", "UK" but not "us"
                continue
            hit.confidence = base
            rule = self._ambiguous.get(hit.pattern) if entry.sub == "name" else None
            if rule:
                after = text[hit.end : hit.end + 40]
                next_word = re.match(r"\s+([A-Z][a-z]+)", after)
                before = _words_before(text, hit.start, 1)
                against = any(cue in item for cue in rule["against"])
                person = rule.get("person") and (
                    (next_word and fold(next_word.group(1)) not in self._places)
                    or (before and before[-1] in _TITLES)
                )
                if against or person:
                    hit.confidence = 0.3
            if self._nationality(hit, text, named):
                hit.confidence = min(hit.confidence, 0.35)

    @staticmethod
    def _nationality(hit: _Hit, text: str, companies: list[_Hit]) -> bool:
        """Whether the country is named as the nationality or seat of a company."""
        if re.match(r"[-‑](based|owned|headquartered|listed)\b", text[hit.end : hit.end + 20]):
            return True
        if _words_before(text, hit.start, 2) in (
            ["based", "in"],
            ["headquartered", "in"],
            ["registered", "in"],
        ):
            return True
        after = _words_after(text, hit.end, 3)
        if hit.entry.sub == "name":
            if after[:1] != ["s"]:  # "Italy's Velora", "Norway's sovereign wealth fund"
                return False
            after = after[1:]
        elif hit.entry.sub != "demonym":
            return False
        if set(after[:2]) & _COMPANY_NOUNS:
            return True
        return any(c.field == hit.field and 0 < c.start - hit.end <= 4 for c in companies)


def _inside(hit: _Hit, others: list[_Hit]) -> bool:
    return any(
        o.field == hit.field and o.start <= hit.start and hit.end <= o.end and o is not hit for o in others
    )


def _longest(hits: list[_Hit]) -> list[_Hit]:
    """Drop matches overlapped by a longer one of the same kind (several terms may share a span)."""
    hits = sorted(hits, key=lambda h: (h.field, -(h.fend - h.fstart), h.fstart))
    kept: list[_Hit] = []
    taken: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for hit in hits:
        spans = taken[hit.field]
        if any(s < hit.fend and hit.fstart < e and (s, e) != (hit.fstart, hit.fend) for s, e in spans):
            continue
        spans.append((hit.fstart, hit.fend))
        kept.append(hit)
    return kept


def _best(hits: list[_Hit]) -> list[Tag]:
    best: dict[int, _Hit] = {}
    for hit in hits:
        if hit.confidence <= 0:
            continue
        current = best.get(hit.entry.term_id)
        if current is None or (hit.confidence, hit.field == "title") > (
            current.confidence,
            current.field == "title",
        ):
            best[hit.entry.term_id] = hit
    return [_tag(hit, hit.confidence) for hit in best.values()]


def _combine_issues(hits: list[_Hit]) -> list[Tag]:
    """One tag per issue; each distinct phrase is one piece of evidence, however often it occurs."""
    by_issue: dict[int, dict[str, tuple[float, _Hit]]] = defaultdict(dict)
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
        tags.append(_tag(best, min(0.95, 1 - missing)))
    return tags


def _tag(hit: _Hit, confidence: float) -> Tag:
    return Tag(
        kind=hit.entry.kind,
        term_id=hit.entry.term_id,
        confidence=round(confidence, 3),
        matched=hit.matched,
        start=hit.start,
        end=hit.end,
        field=hit.field,
    )


@lru_cache(maxsize=1)
def _country_table() -> dict:
    return json.loads(COUNTRIES_FILE.read_text(encoding="utf-8"))


PLACEHOLDERS = ("demonym", "country")


def _placeholder_fillers(table: dict, ids: dict[str, int]) -> dict[tuple[str, str], list[tuple[str, int]]]:
    """What {demonym} and {country} stand for in lexicon phrases of each language: the
    country table's demonyms and names of that language (English ones for English)."""
    fillers: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for code, row in table["countries"].items():
        if code not in ids:
            continue
        for placeholder, key in (("demonym", "demonyms"), ("country", "names")):
            for language, forms in row.get(key, {}).items():
                fillers[(placeholder, language)].extend((form, ids[code]) for form in forms)
    return fillers


@lru_cache(maxsize=1)
def _demonym_words() -> frozenset[str]:
    table = _country_table()["countries"]
    return frozenset(
        fold(form) for row in table.values() for forms in row.get("demonyms", {}).values() for form in forms
    )


# --- The per-process tagger ---------------------------------------------------------------------


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tagger: Tagger | None = None
        self.fingerprint: tuple | None = None
        self.checked_at = 0.0
        self.stale = False


_cache = _Cache()


def _fingerprint() -> tuple:
    companies = Company.objects.aggregate(n=Count("pk"), changed=Max("updated_at"))
    names = CompanyName.objects.aggregate(n=Count("pk"), last=Max("pk"), size=Sum(Length("name")))
    keywords = IssueKeyword.objects.aggregate(n=Count("pk"), last=Max("pk"), size=Sum(Length("phrase")))
    issues = Issue.objects.aggregate(n=Count("pk"), last=Max("pk"))
    countries = Country.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return tuple(tuple(d.values()) for d in (companies, names, keywords, issues, countries))


def get_tagger() -> Tagger:
    """The process's tagger, rebuilt when the company register or the issue lexicon changed."""
    now = time.monotonic()
    with _cache.lock:
        if _cache.tagger is not None and not _cache.stale and now - _cache.checked_at < RECHECK_SECONDS:
            return _cache.tagger
        fingerprint = _fingerprint()
        _cache.checked_at = now
        if _cache.tagger is None or _cache.stale or fingerprint != _cache.fingerprint:
            _cache.stale = False
            _cache.tagger = Tagger.from_database()
            _cache.fingerprint = fingerprint
        return _cache.tagger


def invalidate_tagger(**kwargs) -> None:
    """Rebuild the tagger on its next use (a signal receiver, and for callers that bulk-load)."""
    _cache.stale = True


for _model in (Company, CompanyName, IssueKeyword, Issue, Country):
    post_save.connect(invalidate_tagger, sender=_model, dispatch_uid=f"ingest-tagger-{_model.__name__}-save")
    post_delete.connect(
        invalidate_tagger, sender=_model, dispatch_uid=f"ingest-tagger-{_model.__name__}-delete"
    )
