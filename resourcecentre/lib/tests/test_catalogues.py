from pathlib import Path

import pytest

from resourcecentre.lib.catalogues import check_catalogue, main, placeholders

HEADER = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

"""
PROJECT_LOCALE = Path(__file__).resolve().parents[2] / "locale"


def catalogue(folder: Path, language: str, body: str) -> Path:
    path = folder / language / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def problems(tmp_path: Path, body: str) -> list[str]:
    return [problem.what for problem in check_catalogue(catalogue(tmp_path, "es", body))]


def test_a_complete_catalogue_has_no_problems(tmp_path):
    body = """msgid "Search"
msgstr "Buscar"

msgid "Hello %(name)s, %(count)d new items"
msgstr "Hola %(name)s, %(count)d noticias nuevas"

msgid "{count} of {total}"
msgstr "{count} de {total}"

msgid "100%% sure"
msgstr "Seguro al 100%%"

msgid "%(counter)s result"
msgid_plural "%(counter)s results"
msgstr[0] "un resultado"
msgstr[1] "%(counter)s resultados"
"""
    assert problems(tmp_path, body) == []


def test_an_untranslated_string_is_reported(tmp_path):
    assert problems(tmp_path, 'msgid "Search"\nmsgstr ""\n') == ["untranslated"]


def test_a_missing_plural_form_is_reported(tmp_path):
    body = 'msgid "%(n)s item"\nmsgid_plural "%(n)s items"\nmsgstr[0] "%(n)s cosa"\nmsgstr[1] ""\n'
    assert problems(tmp_path, body) == ["untranslated"]


def test_a_fuzzy_guess_is_reported_even_when_filled_in(tmp_path):
    body = '#, fuzzy\nmsgid "Search"\nmsgstr "Buscar"\n'
    assert problems(tmp_path, body) == ["fuzzy (a guess nobody checked)"]


@pytest.mark.parametrize(
    "english, translated",
    [
        ("Hello %(name)s", "Hola %(nombre)s"),  # renamed: Django raises KeyError
        ("Hello %(name)s", "Hola"),  # dropped
        ("Hello %(name)s", "Hola %(name)d"),  # another type
        ("%s of %s", "%s"),  # one positional too few
        ("{count} of {total}", "{cuenta} de {total}"),
        ("{count} of {total}", "{count} de"),
        ("Hello", "Hola %(name)s"),  # a placeholder the code never passes
    ],
)
def test_broken_placeholders_are_reported(tmp_path, english, translated):
    found = problems(tmp_path, f'msgid "{english}"\nmsgstr "{translated}"\n')
    assert len(found) == 1 and found[0].startswith("placeholders differ")


def test_a_plural_cannot_invent_a_placeholder_in_its_singular(tmp_path):
    body = 'msgid "one item"\nmsgid_plural "%(n)s items"\nmsgstr[0] "%(x)s cosa"\nmsgstr[1] "%(n)s cosas"\n'
    assert problems(tmp_path, body)[0].startswith("placeholders differ")


def test_placeholders_ignore_literal_percent_signs_and_braces():
    assert placeholders("100%% of {{braces}}") == {}
    assert placeholders("%(a)s %(a)s %d {0}") == {"%(a)s": 2, "%d": 1, "{0}": 1}


def test_the_command_fails_with_one_line_per_problem_and_a_missing_language(tmp_path, capsys):
    catalogue(tmp_path, "es", 'msgid "Search"\nmsgstr ""\n')
    catalogue(tmp_path, "zh_Hans", 'msgid "Search"\nmsgstr "搜索"\n')
    assert main([str(tmp_path), "--languages", "en,es,zh-hans,ja"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("no catalogue for ja")
    assert lines[1].endswith("untranslated: 'Search'") and "/es/" in lines[1]
    assert lines[-1] == "2 catalogues, 2 problems"


def test_the_command_passes_complete_catalogues(tmp_path, capsys):
    catalogue(tmp_path, "ja", 'msgid "Search"\nmsgstr "検索"\n')
    assert main([str(tmp_path), "--languages", "ja"]) == 0
    assert capsys.readouterr().out.splitlines() == ["1 catalogues, 0 problems"]


def test_the_shipped_url_catalogues_pass(capsys):
    assert main([str(PROJECT_LOCALE), "--languages", "es ja"]) == 0


def test_a_catalogue_with_an_unreviewed_header_is_reported(tmp_path):
    path = catalogue(tmp_path, "ko", 'msgid "Search"\nmsgstr "검색"\n')
    path.write_text("#, fuzzy\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert [p.what for p in check_catalogue(path)] == ["the header is fuzzy: check Language and Plural-Forms"]


def test_more_plural_forms_than_the_language_has_is_reported(tmp_path, capsys):
    body = 'msgid "%(n)s item"\nmsgid_plural "%(n)s items"\nmsgstr[0] "%(n)s 項目"\nmsgstr[1] "%(n)s 項目"\n'
    path = catalogue(tmp_path, "ja", body)
    path.write_text(
        path.read_text(encoding="utf-8").replace("nplurals=2; plural=(n != 1)", "nplurals=1; plural=0")
    )
    found = [p.what for p in check_catalogue(path)]
    assert found == ["malformed (msg has more translations than num_plurals of catalog)"]
    assert capsys.readouterr().out == ""  # Babel's own printing is captured, not shown
