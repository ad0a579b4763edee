"""Text folded for matching, and where a match may start and end; no Django needed.

Every name, place and keyword is folded the same way as the text (case, accents, Arabic
letter variants, punctuation; full stops inside words are dropped so that "S.A." reads "sa"),
one character for one so that spans map back to the original text. In scripts written with
spaces a match must start and end on word boundaries; Chinese, Japanese, Thai and the like
have none to check, and Arabic prefixes (و ب ل ف ك ال) and suffixes (ي ية يون يين) are
allowed around a word.
"""

import bisect
import re
import unicodedata
from functools import lru_cache
from itertools import accumulate

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
fold_cached = lru_cache(maxsize=200_000)(fold)


# Scripts and boundaries


def unspaced(char: str) -> bool:
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


def strong_pattern(pattern: str) -> bool:
    """A folded pattern of several words, or of three or more characters of a script without
    spaces: unlikely to be a common word."""
    if " " in pattern:
        return True
    return len(pattern) >= 3 and any(unspaced(c) for c in pattern)


def boundary_ok(text: str, start: int, end: int, prefix: bool = False) -> bool:
    """Whether the match text[start:end] of a folded text starts and ends on word boundaries
    (only starts on one, for a `prefix` pattern)."""
    first, last = text[start], text[end - 1]
    if start > 0 and text[start - 1] != " " and not unspaced(first) and not unspaced(text[start - 1]):
        if not _arabic(first):
            return False
        word_start = text.rfind(" ", 0, start) + 1
        if text[word_start:start] not in _ARABIC_PREFIXES:
            return False
    if prefix:
        return True
    if end < len(text) and text[end] != " " and not unspaced(last) and not unspaced(text[end]):
        if not _arabic(last):
            return False
        word_end = text.find(" ", end)
        if text[end : word_end if word_end >= 0 else len(text)] not in _ARABIC_SUFFIXES:
            return False
    return True


def cased(text: str) -> bool:
    """Whether the text is written in a script with capitals."""
    return any(c.isupper() for c in text) or any(c.islower() for c in text)
