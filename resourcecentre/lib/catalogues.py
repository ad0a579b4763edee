"""Check gettext catalogues before they ship: every string translated, no fuzzy guesses, and the
same placeholders in each translation as in the English, so a page never raises on `%(name)s`
or shows a raw `{name}`.

    python -m resourcecentre.lib.catalogues resourcecentre --languages es,fr,ja

Exits 1 and lists the problems, one a line, when there are any. No Django needed.
"""

import argparse
import contextlib
import io
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

# printf-style (`%(name)s`, `%s`, `%d`; `%%` is a literal percent) and str.format-style
# (`{name}`, `{0}`, `{}`; `{{` is a literal brace) placeholders.
_PERCENT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*\d*(?:\.\d+)?(?P<type>[a-zA-Z%])")
_BRACE = re.compile(r"\{\{|\}\}|\{(?P<field>[^{}]*)\}")


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    msgid: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}: {self.msgid!r}"


def placeholders(text: str) -> Counter:
    """The placeholders in a message, counted: `%(name)s` and `%s` (what Django's gettext and
    `blocktranslate` produce) and `{name}` (`str.format`, `format_lazy`)."""
    found: Counter = Counter()
    for match in _PERCENT.finditer(text):
        if match["type"] != "%":
            found[
                f"%({match['name']}){match['type']}" if match["name"] is not None else f"%{match['type']}"
            ] += 1
    for match in _BRACE.finditer(text):
        if match["field"] is not None:
            found["{" + match["field"] + "}"] += 1
    return found


def _pairs(message) -> Iterator[tuple[str, str]]:
    """(English, translation) pairs of a message; plural forms pair with the English plural."""
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    for number, string in enumerate(strings):
        yield ids[min(number, len(ids) - 1)], string or ""


def _read(path: Path) -> tuple[Catalog, list[Problem]]:
    """The catalogue, and what Babel's reader found malformed (it prints rather than raises)."""
    printed = io.StringIO()
    with path.open("rb") as handle, contextlib.redirect_stdout(printed):
        catalogue = read_po(handle)
    problems = []
    warnings = [line.removeprefix("WARNING: ") for line in printed.getvalue().splitlines()]
    for what, where in zip(warnings[::2], warnings[1::2], strict=False):
        line = re.search(r"line (\d+)", where)
        problems.append(Problem(path, int(line[1]) if line else 0, "", f"malformed ({what})"))
    return catalogue, problems


def check_catalogue(path: Path) -> list[Problem]:
    catalogue, problems = _read(path)
    if catalogue.fuzzy:
        problems.append(Problem(path, 1, "", "the header is fuzzy: check Language and Plural-Forms"))
    for message in catalogue:
        if not message.id:
            continue  # the header
        shown = message.id[0] if isinstance(message.id, tuple) else message.id
        line = message.lineno or 0
        if message.fuzzy:
            problems.append(Problem(path, line, shown, "fuzzy (a guess nobody checked)"))
            continue
        for english, translated in _pairs(message):
            if not translated.strip():
                problems.append(Problem(path, line, shown, "untranslated"))
                break
            expected, got = placeholders(english), placeholders(translated)
            # A singular form may leave out the count ("un résultat"), never add or rename one.
            plural_singular = isinstance(message.id, tuple) and english == message.id[0]
            if (got - expected) or (not plural_singular and expected != got):
                missing = ", ".join(sorted((expected - got).elements())) or "none"
                extra = ", ".join(sorted((got - expected).elements())) or "none"
                problems.append(
                    Problem(path, line, shown, f"placeholders differ (missing: {missing}; unknown: {extra})")
                )
                break
    return problems


def catalogue_paths(root: Path, languages: Iterable[str]) -> list[Path]:
    """The `django.po` of each language under `root` (`zh-hans` is stored as `zh_Hans`)."""
    wanted = {_directory_name(code) for code in languages}
    return sorted(
        path
        for path in root.rglob("LC_MESSAGES/django.po")
        if ".venv" not in path.parts and path.parent.parent.name in wanted
    )


def _directory_name(code: str) -> str:
    """Django's locale folder for a language code: "zh-hans" → "zh_Hans", "pt-br" → "pt_BR"."""
    language, _, region = code.partition("-")
    if not region:
        return language
    return f"{language}_{region.title() if len(region) > 2 else region.upper()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="the folder to search for LC_MESSAGES/django.po")
    parser.add_argument(
        "--languages", required=True, help="codes or locale folders, e.g. 'es,fr,zh-hans' or 'es fr zh_Hans'"
    )
    args = parser.parse_args(argv)
    languages = [code for code in re.split(r"[\s,]+", args.languages) if code and code != "en"]
    paths = catalogue_paths(args.root, languages)
    present = {path.parent.parent.name for path in paths}
    problems: list[str] = [
        f"{args.root}: no catalogue for {code}" for code in languages if _directory_name(code) not in present
    ]
    for path in paths:
        problems.extend(str(problem) for problem in check_catalogue(path))
    for problem in problems:
        print(problem)
    print(f"{len(paths)} catalogues, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
