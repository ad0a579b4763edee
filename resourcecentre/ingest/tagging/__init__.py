"""Step 4 of the pipeline: suggest the companies, countries and issues an item is about, each
with a confidence and the text span that triggered it.

* `folding`: text folded for matching, and word boundaries in any script;
* `matching`: the tagger's entries and hits, the words around a hit, tags from hits;
* `companies`, `places`, `issues`: what each kind of term is found by, and how sure a hit is;
* `tagger`: the `Tagger`, one automaton over every name, place and phrase;
* `cache`: `get_tagger()`, the process's tagger, rebuilt when the register or lexicon changes.

A tag at or above `SUGGEST_THRESHOLD` is a suggestion; below it, it is shown but not ticked.
"""

from .cache import get_tagger, invalidate_tagger
from .matching import COMPANY, COUNTRY, ISSUE, SUGGEST_THRESHOLD, Tag
from .places import COUNTRIES_FILE
from .tagger import Tagger

__all__ = [
    "COMPANY",
    "COUNTRIES_FILE",
    "COUNTRY",
    "ISSUE",
    "SUGGEST_THRESHOLD",
    "Tag",
    "Tagger",
    "get_tagger",
    "invalidate_tagger",
]
