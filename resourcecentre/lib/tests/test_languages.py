from resourcecentre.lib.languages import language_name, text_direction


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
