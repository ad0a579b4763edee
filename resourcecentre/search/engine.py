"""The full-text and facet index: an embedded tantivy index on local disk.

The database stays the source of truth; this index is a copy that can be rebuilt from it
(`rebuild_search_index`) and is kept in step by `services.search_index_sync`. See
docs/decisions/0006-search-engine-tantivy.md for why tantivy and how several hosts share it.

The directory layout is `<root>/current -> <root>/index-<stamp>/`: a rebuild writes a new
directory and swaps the link, so readers never see a half-built index.
"""

import datetime
import os
import shutil
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tantivy

from resourcecentre.lib.dates import midnight_utc

# Stemmers tantivy ships, by the content language codes we use.
STEMMED_LANGUAGES = {
    "ar": "arabic",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}
# Languages written without spaces between words: indexed as character uni- and bigrams.
CJK_LANGUAGES = {"ja", "zh", "ko", "th", "my"}

# Bump when the schema or the analyzers change: an index built by an older release is then
# treated as missing (pages fall back, search says it is rebuilding) until it is rebuilt.
SCHEMA_VERSION = "4"
TAG_FIELDS = ("companies", "countries", "regions", "issues", "sectors", "stakeholders")
# Facets with few distinct values per item are counted from one packed number per document
# (the "set" field) instead of a multi-valued column, which tantivy counts several times
# more slowly; the few values beyond the packed ones go to a multi-valued overflow field.
SET_FIELDS = ("countries", "regions", "issues", "sectors", "stakeholders")
EARLIEST_INDEXED_DATE, LATEST_INDEXED_DATE = datetime.date(1678, 1, 1), datetime.date(2261, 12, 31)
SET_BITS = 21
SET_SLOTS = 3
SET_MASK = (1 << SET_BITS) - 1
SET_BUCKETS = 65_000  # more distinct combinations than any vocabulary here produces


def pack_set(ids: list[int]) -> tuple[int | None, list[int]]:
    """The first three ids (each below 2**21) packed in one number, and the rest."""
    ordered = sorted(set(ids))
    packed = 0
    for value in ordered[:SET_SLOTS]:
        packed = (packed << SET_BITS) | value
    return packed or None, ordered[SET_SLOTS:]


def unpack_set(packed: int) -> list[int]:
    values = []
    while packed:
        values.append(packed & SET_MASK)
        packed >>= SET_BITS
    return values


class SearchUnavailable(Exception):
    """The index is missing or being rebuilt; pages fall back or say so."""


def _analyzer(tokenizer: tantivy.Tokenizer, *filters: tantivy.Filter) -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tokenizer)
    for item in filters:
        builder = builder.filter(item)
    return builder.build()


PAIR_JOINER = "\x01"


@lru_cache(maxsize=1)
def shared_analyzers() -> dict[str, tantivy.TextAnalyzer]:
    return analyzers()


def word_pairs(field: str, text: str) -> list[str]:
    """Each word joined to the next as the field's analyzer sees them: "unpaid\x01overtim".

    Indexed, these make a two-word phrase one term lookup instead of a position check over
    every document holding both words; CJK n-grams have no word order to pair.
    """
    if field == "cjk":
        return []
    tokens = shared_analyzers()["folded" if field == "text" else field].analyze(text)
    return [f"{first}{PAIR_JOINER}{second}" for first, second in zip(tokens, tokens[1:], strict=False)]


def analyzers() -> dict[str, tantivy.TextAnalyzer]:
    simple = tantivy.Tokenizer.simple
    lower, fold = tantivy.Filter.lowercase, tantivy.Filter.ascii_fold
    found = {"folded": _analyzer(simple(), tantivy.Filter.remove_long(40), lower(), fold())}
    for code, language in STEMMED_LANGUAGES.items():
        found[f"stem_{code}"] = _analyzer(
            simple(), tantivy.Filter.remove_long(40), lower(), tantivy.Filter.stemmer(language), fold()
        )
    found["cjk"] = _analyzer(tantivy.Tokenizer.ngram(1, 2, False), lower())
    return found


def text_fields() -> list[str]:
    return ["text", *(f"stem_{code}" for code in STEMMED_LANGUAGES), "cjk"]


def text_field_for(language: str) -> str:
    """The one field a text in `language` is indexed in: its stemmer's, CJK n-grams, or folded.

    One field per text keeps every matching document in a single posting list, so a common
    word costs one pass over its documents rather than one per analyzer.
    """
    base = language.split("-")[0]
    if base in STEMMED_LANGUAGES:
        return f"stem_{base}"
    if base in CJK_LANGUAGES:
        return "cjk"
    return "text"


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    builder.add_text_field("kind", fast=True, tokenizer_name="raw")
    builder.add_text_field("language", fast=True, tokenizer_name="raw")
    builder.add_unsigned_field("type", indexed=True, fast=True)
    builder.add_unsigned_field("companies", indexed=True, fast=True)
    for field in SET_FIELDS:
        builder.add_unsigned_field(field, indexed=True)
        builder.add_unsigned_field(f"{field}_set", fast=True)
        builder.add_unsigned_field(f"{field}_more", fast=True)
    builder.add_date_field("date", indexed=True, fast=True)
    builder.add_text_field("text", tokenizer_name="folded")
    builder.add_text_field("names", tokenizer_name="folded")
    builder.add_text_field("pairs", tokenizer_name="whitespace", index_option="basic")
    for code in STEMMED_LANGUAGES:
        builder.add_text_field(f"stem_{code}", tokenizer_name=f"stem_{code}")
    builder.add_text_field("cjk", tokenizer_name="cjk")
    return builder.build()


@dataclass(frozen=True)
class IndexDocument:
    """What the index knows of a story, component or company."""

    key: str  # "component:12"
    kind: str  # "component", "story", "company"
    language: str
    date: datetime.date
    title: str
    texts: list[tuple[str, str]]  # (language, text) pairs: the original and translations
    type: int | None = None
    tags: dict[str, list[int]] | None = None
    names: list[str] | None = None  # a company's names, matched to find what is tagged with it

    @property
    def overflowing(self) -> set[str]:
        """The packed facets for which this item has more values than one number holds."""
        return {field for field in SET_FIELDS if len(set((self.tags or {}).get(field, []))) > SET_SLOTS}

    def to_tantivy(self) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_text("key", self.key)
        doc.add_text("kind", self.kind)
        doc.add_text("language", self.language)
        # tantivy stores dates from 1677 to 2262; a mistyped year must not stop the index.
        day = min(max(self.date, EARLIEST_INDEXED_DATE), LATEST_INDEXED_DATE)
        doc.add_date("date", midnight_utc(day))
        if self.type is not None:
            doc.add_unsigned("type", self.type)
        for field, ids in (self.tags or {}).items():
            for value in ids:
                doc.add_unsigned(field, value)
            if field in SET_FIELDS:
                packed, more = pack_set(ids)
                if packed is not None:
                    doc.add_unsigned(f"{field}_set", packed)
                for value in more:
                    doc.add_unsigned(f"{field}_more", value)
        for name in self.names or []:
            doc.add_text("names", name)
        for number, (language, text) in enumerate(self.texts):
            # The title counts twice: a word in the headline says more than one in the excerpt.
            field = text_field_for(language)
            doc.add_text(field, f"{self.title}\n{text}" if number == 0 else text)
            if pairs := word_pairs(field, text):
                doc.add_text("pairs", " ".join(pairs))
        return doc


class SearchIndex:
    """One open index directory, with the analyzers registered."""

    def __init__(self, path: Path, *, create: bool = False) -> None:
        version_file = path / "schema_version"
        if not create:
            if not tantivy.Index.exists(str(path)):
                raise SearchUnavailable(f"No search index at {path}")
            if not version_file.exists() or version_file.read_text() != SCHEMA_VERSION:
                raise SearchUnavailable(f"The index at {path} was built by another release; rebuild it.")
        path.mkdir(parents=True, exist_ok=True)
        if create:
            version_file.write_text(SCHEMA_VERSION)
        self.path = path
        self.schema = build_schema()
        self.index = tantivy.Index(self.schema, path=str(path), reuse=not create)
        for name, analyzer in analyzers().items():
            self.index.register_tokenizer(name, analyzer)

    def mark_overflow(self, fields: set[str]) -> None:
        """Remember that some item overflows these packed facets, so they are counted fully."""
        for field in fields:
            (self.path / f"overflow-{field}").touch()

    def generation(self) -> str:
        """Changes whenever a sync or rebuild writes to this index."""
        return str((self.path / "meta.json").stat().st_mtime_ns)

    def overflow_fields(self) -> set[str]:
        return {field for field in SET_FIELDS if (self.path / f"overflow-{field}").exists()}

    def writer(self, heap_bytes: int = 32_000_000) -> tantivy.IndexWriter:
        """A single-threaded writer; a rebuild asks for a larger heap to write fewer segments."""
        return self.index.writer(heap_size=heap_bytes, num_threads=1)

    def searcher(self) -> tantivy.Searcher:
        return self.index.searcher()


class IndexStore:
    """Where the index lives on this host, and the open reader shared by this process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._open: tuple[Path, SearchIndex] | None = None

    @property
    def current_link(self) -> Path:
        return self.root / "current"

    def current_path(self) -> Path:
        if not self.current_link.exists():
            raise SearchUnavailable("The search index has not been built yet.")
        return self.current_link.resolve()

    def reader(self) -> SearchIndex:
        """The current index, reopened when a rebuild has swapped it."""
        path = self.current_path()
        with self._lock:
            if self._open is None or self._open[0] != path:
                self._open = (path, SearchIndex(path))
            index = self._open[1]
        index.index.reload()
        return index

    def new_build_path(self) -> Path:
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%f")
        return self.root / f"index-{stamp}"

    def swap_to(self, path: Path) -> None:
        """Point `current` at a freshly built index and remove the old ones."""
        self.root.mkdir(parents=True, exist_ok=True)
        temporary = self.root / "current.new"
        if temporary.is_symlink() or temporary.exists():
            temporary.unlink()
        temporary.symlink_to(path.name)
        os.replace(temporary, self.current_link)
        for old in self.root.glob("index-*"):
            if old != path:
                shutil.rmtree(old, ignore_errors=True)
