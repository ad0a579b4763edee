"""Companies in the text: the register's names (`Company.name` and every `CompanyName`, alias
or former name), and how sure a match of one is.

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
"""

from collections import defaultdict
from functools import lru_cache

from rigour.names import remove_org_types

from .folding import cased, fold, strong_pattern, unspaced
from .matching import (
    COMPANY,
    Entry,
    Hit,
    sentence_initial,
    title_cased,
    words_after,
    words_before,
)

# Legal forms

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
    return frozenset(f for f in forms if len(f) > 1 or any(unspaced(c) for c in f))


def company_entries(company_id: int, name: str) -> list[tuple[str, Entry]]:
    """The folded patterns a company's name is found by, each with its entry."""
    acronym = name.strip().isupper() and " " not in name.strip() and len(name.strip()) <= 6
    found = []
    for pattern in company_variants(name):
        sub = "acronym" if acronym else "strong" if strong_pattern(pattern) else "weak"
        found.append((pattern, Entry(COMPANY, company_id, len(pattern), name, sub)))
    return found


# Context cues

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
COMPANY_NOUNS = set(
    """company companies firm firms group retailer retailers brand brands multinational giant miner
    mining bank banks investor investors fund manufacturer maker makers supermarket chain owner buyer
    conglomerate insurer trader developer operator parent based owned headquartered registered
    empresa grupo entreprise groupe société unternehmen konzern""".split()  # noqa: SIM905 - a line per language reads best
)


def score_companies(
    hits: list[Hit], fields: dict[str, str], language: str, *, demonyms: frozenset[str]
) -> None:
    """Set each company hit's confidence from its context (`demonyms`: the folded demonyms of
    every country, for "the Brazilian Amazon")."""
    strong_ids = set()
    for hit in hits:
        text = fields[hit.field]
        matched = text[hit.start : hit.end]
        entry = hit.entry
        if entry.sub == "acronym":
            ok = matched.replace(".", "").isupper()
        elif cased(matched) and matched.islower() and not entry.form.islower():
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
        before, after = words_before(text, hit.start, 4), words_after(text, hit.end, 3)
        if set(before[-3:] + after[:4]) & _NATURE or (
            len(before) >= 2 and before[-2] == "the" and before[-1] in demonyms
        ):
            hit.confidence = 0.2
        elif hit.entry.term_id in strong_ids:
            hit.confidence = 0.85
        elif set(after[:3]) & _CUES_AFTER or set(before) & _CUES_BEFORE:
            hit.confidence = 0.8
        elif (
            cased(text[hit.start : hit.end])
            and language != "de"
            and not sentence_initial(text, hit.start)
            and not (hit.field == "title" and title_cased(text))
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
