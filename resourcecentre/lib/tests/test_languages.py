import datetime

from resourcecentre.lib.languages import (
    format_local_date,
    format_local_number,
    language_name,
    same_language,
    text_direction,
)


def test_languages_are_named_in_their_own_script():
    assert language_name("ja") == "日本語"
    assert language_name("es") == "Español"
    assert language_name("ar") == "العربية"
    assert language_name("ja", in_language="en") == "Japanese"


def test_unknown_codes_are_shown_as_they_are():
    assert language_name("xx-nope") == "xx-nope"


def test_arabic_and_hebrew_read_right_to_left():
    assert text_direction("ar") == "rtl"
    assert text_direction("he") == "rtl"
    assert text_direction("ja") == "ltr"


def test_regional_variants_read_each_other_but_chinese_scripts_do_not():
    assert same_language("pt", "pt-br")
    assert same_language("PT-BR", "pt")
    assert not same_language("zh-hans", "zh-hant")
    assert same_language("zh-hans", "zh-Hans")
    assert not same_language("es", "en")


def test_dates_are_written_as_each_language_writes_them():
    day = datetime.date(2020, 6, 12)
    assert format_local_date(day, "en") == "12 June 2020"
    assert format_local_date(day, "es") == "12 de junio de 2020"
    assert format_local_date(day, "ja") == "2020年6月12日"
    assert format_local_date(day, "zh-hans") == "2020年6月12日"
    assert format_local_date(day, "ar") == "12 يونيو 2020"
    assert format_local_date(day, "ru") == "12 июня 2020\u202fг."


def test_an_unknown_language_gets_dates_and_numbers_in_english():
    assert format_local_date(datetime.date(2020, 6, 12), "xx-nope") == "12 June 2020"
    assert format_local_number(1234567, "../etc") == "1,234,567"


def test_numbers_use_the_languages_separators():
    assert format_local_number(1234567, "en") == "1,234,567"
    assert format_local_number(1234567, "de") == "1.234.567"
    assert format_local_number(1234567.5, "fr") == "1\u202f234\u202f567,5"
