"""Step 3 of the pipeline: which of the site's content languages an item is written in.

The script decides first: kana is Japanese, hangul Korean, Arabic script Arabic, and so on
for every script only one content language uses; Chinese characters alone are Chinese or
Japanese. Within a script shared by several languages (Latin above all), py3langid's naive
Bayes model, restricted to `settings.CONTENT_LANGUAGES`, decides. The feed's declared
language (`hint`) is trusted for texts too short to judge and breaks close calls, such as
Spanish against Portuguese or kanji-only Japanese against Chinese; a hint the script rules
out (a Portuguese feed carrying a Chinese headline) is ignored.
"""

import unicodedata
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

# Below this many letters of an alphabet the model guesses; the feed's own language is the better bet.
MIN_LETTERS = 12
# A hinted language this close to the winner's probability wins the tie.
HINT_MARGIN = 0.25
MIN_PROBABILITY = 0.5

# The languages (base codes) a script is written in, for the scripts that tell.
_SCRIPTS = {
    "HIRAGANA": ("ja",),
    "KATAKANA": ("ja",),
    "CJK": ("zh", "ja"),
    "HANGUL": ("ko",),
    "ARABIC": ("ar", "fa", "ur"),
    "CYRILLIC": ("ru", "uk", "bg", "sr", "kk"),
    "THAI": ("th",),
    "MYANMAR": ("my",),
    "BENGALI": ("bn",),
    "DEVANAGARI": ("hi", "mr", "ne"),
    "GREEK": ("el",),
    "HEBREW": ("he",),
}


def _base(code: str) -> str:
    return code.replace("_", "-").split("-")[0].lower()


@lru_cache(maxsize=1)
def _identifier() -> tuple["LanguageIdentifier", dict[str, str]]:
    """The model limited to the content languages, and its codes mapped to ours ("zh" → "zh-hans").

    py3langid brings NumPy: imported on first use, by the processes that detect languages."""
    import py3langid.langid as langid

    identifier = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)
    ours: dict[str, str] = {}
    for code in settings.CONTENT_LANGUAGES:
        ours.setdefault(_base(code), code)
    known = set(identifier.labels)
    identifier.set_languages([base for base in ours if base in known])
    return identifier, ours


def _content_language(code: str) -> str:
    """The CONTENT_LANGUAGES code for a language code ("pt-BR" → "pt", "zh" → "zh-hans"), or ""."""
    if not code:
        return ""
    code = code.replace("_", "-").lower()
    if code in settings.CONTENT_LANGUAGES:
        return code
    return _identifier()[1].get(_base(code), "")


def _scripts(text: str) -> Counter:
    """Letters per script ("LATIN", "CJK", "HIRAGANA"…)."""
    counts: Counter = Counter()
    for char in text:
        if char.isalpha():
            counts["LATIN" if char.isascii() else unicodedata.name(char, "?").split(" ")[0]] += 1
    return counts


def detect_language(text: str, hint: str = "") -> str:
    """A code of settings.CONTENT_LANGUAGES for the text, or "" when it cannot be told."""
    hint = _content_language(hint)
    scripts = _scripts(text)
    if not scripts:
        return hint
    if scripts["HIRAGANA"] or scripts["KATAKANA"]:
        return _content_language("ja") or hint
    script, letters = scripts.most_common(1)[0]
    candidates = [code for base in _SCRIPTS.get(script, ()) if (code := _content_language(base))]
    if script in _SCRIPTS:
        if hint in candidates:
            if len(candidates) == 1 or script != "CJK" or letters < MIN_LETTERS:
                return hint
        elif len(candidates) == 1:
            return candidates[0]
        elif not candidates:
            return ""
        hint = hint if hint in candidates else ""
    elif hint and _script_of(hint) is not None:
        hint = ""  # a Latin-script text is not in the hinted Japanese or Arabic
    if letters < MIN_LETTERS and script not in _SCRIPTS:
        return hint
    identifier, ours = _identifier()
    ranked = identifier.rank(text)
    best, probability = ranked[0]
    if hint:
        hinted = next((p for code, p in ranked if code == _base(hint)), 0.0)
        if hinted >= probability - HINT_MARGIN:
            return hint
    if probability < MIN_PROBABILITY:
        return hint
    return ours.get(best, "")


@lru_cache(maxsize=64)
def _script_of(code: str) -> str | None:
    """The script a language is written in, when it is one of `_SCRIPTS`."""
    base = _base(code)
    return next((script for script, bases in _SCRIPTS.items() if base in bases), None)
