"""The tagger: every company name, country form and issue phrase, folded, in one Aho-Corasick
automaton (pyahocorasick), found in one pass over an item's folded title and text; each hit
is then scored by its context (see `companies`, `places` and `issues`)."""

from collections import defaultdict
from dataclasses import replace

import ahocorasick

from resourcecentre.companies.models import Company, CompanyName
from resourcecentre.ingest.models import IssueKeyword
from resourcecentre.taxonomy.models import Country, Issue

from .companies import company_entries, score_companies
from .folding import Folded, boundary_ok, fold_cached
from .issues import combine_issues, keyword_entries, placeholder_fillers
from .matching import COMPANY, COUNTRY, ISSUE, SUGGEST_THRESHOLD, Entry, Hit, Tag, best, inside, longest
from .places import ambiguous_names, country_forms, country_table, demonym_words, score_countries


class Tagger:
    def __init__(
        self,
        companies: list[tuple[int, str]],
        countries: dict[str, int],
        keywords: list[tuple[int, str, str]],
    ) -> None:
        """`companies`: (Company.pk, name) for every name and alias; `countries`: ISO code →
        Country.pk; `keywords`: (Issue.pk, language, phrase)."""
        self._automaton = ahocorasick.Automaton()
        self._entries: dict[str, list[Entry]] = defaultdict(list)
        for company_id, name in companies:
            for pattern, entry in company_entries(company_id, name):
                self._add(pattern, entry)
        table = country_table()
        for country_id, form, sub, languages in country_forms(table, countries):
            self._add_country_form(country_id, form, sub, languages)
        self._ambiguous = ambiguous_names(table, countries)
        fillers = placeholder_fillers(table, countries)
        for issue_id, language, phrase in keywords:
            for pattern, entry in keyword_entries(issue_id, language, phrase, fillers):
                self._add(pattern, entry)
        for pattern, entries in self._entries.items():
            self._automaton.add_word(pattern, tuple(entries))
        self._places = frozenset(
            p for p, entries in self._entries.items() if any(e.kind == COUNTRY for e in entries)
        )
        if self._entries:
            self._automaton.make_automaton()

    @classmethod
    def from_database(cls) -> "Tagger":
        names = list(Company.objects.values_list("pk", "name"))
        names += list(CompanyName.objects.values_list("company_id", "name"))
        countries = dict(Country.objects.values_list("code", "pk"))
        keywords = [(pk, "en", name) for pk, name in Issue.objects.values_list("pk", "name")]
        keywords += list(IssueKeyword.objects.values_list("issue_id", "language", "phrase"))
        return cls(names, countries, keywords)

    # Building

    def _add(self, pattern: str, entry: Entry) -> None:
        """One entry per term and pattern, for the union of the languages it is listed in."""
        existing = self._entries[pattern]
        for index, other in enumerate(existing):
            if other.kind == entry.kind and other.term_id == entry.term_id:
                if other.languages is not None:
                    languages = None if entry.languages is None else other.languages | entry.languages
                    existing[index] = replace(entry if languages is None else other, languages=languages)
                return
        existing.append(entry)

    def _add_country_form(
        self, country_id: int, form: str, sub: str, languages: frozenset[str] | None
    ) -> None:
        pattern = fold_cached(form)
        if not pattern:
            return
        entries = self._entries[pattern]
        for entry in list(entries):
            if entry.kind == COUNTRY and entry.term_id != country_id and entry.languages == languages:
                # The same form for two countries (عمان: Oman, and Amman): a name wins over a place.
                if sub != "name" or entry.sub == "name":
                    return
                entries.remove(entry)
        self._add(pattern, Entry(COUNTRY, country_id, len(pattern), form, sub, languages))

    # Matching

    def _hits(self, field: str, text: str, language: str) -> tuple[list[Hit], Folded]:
        folded = Folded(text)
        hits = []
        for end, entries in self._automaton.iter(folded.text):
            end += 1
            for entry in entries:
                start = end - entry.length
                if entry.languages is not None and language and language not in entry.languages:
                    continue
                if not boundary_ok(folded.text, start, end, entry.prefix):
                    continue
                ostart, oend = folded.span(start, end)
                hits.append(
                    Hit(entry, field, ostart, oend, start, end, text[ostart:oend], folded.text[start:end])
                )
        return hits, folded

    def tag(self, title: str, text: str, language: str = "") -> list[Tag]:
        fields = {"title": title or "", "text": text or ""}
        hits: list[Hit] = []
        folded = []
        for field, value in fields.items():
            if value:
                field_hits, field_folded = self._hits(field, value, language)
                hits.extend(field_hits)
                folded.append(field_folded.text)
        by_kind: dict[str, list[Hit]] = defaultdict(list)
        for hit in hits:
            by_kind[hit.entry.kind].append(hit)
        companies = longest(by_kind[COMPANY])
        score_companies(companies, fields, language, demonyms=demonym_words())
        countries = [h for h in longest(by_kind[COUNTRY]) if h.entry.sub != "blocker"]
        countries = [h for h in countries if not inside(h, companies)]
        score_countries(
            countries,
            companies,
            fields,
            " \n ".join(folded),
            ambiguous=self._ambiguous,
            places=self._places,
        )
        located = {h.entry.term_id for h in countries if h.confidence >= SUGGEST_THRESHOLD}
        issues = [
            h for h in longest(by_kind[ISSUE]) if not h.entry.country_id or located - {h.entry.country_id}
        ]
        tags = best(companies) + best(countries) + combine_issues(issues)
        tags.sort(key=lambda t: (t.kind, -t.confidence, t.field != "title", t.start))
        return tags
