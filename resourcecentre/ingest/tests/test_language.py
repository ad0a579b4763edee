import pytest

from resourcecentre.ingest.language import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Workers at the garment factory went on strike over unpaid wages.", "en"),
        ("Trabajadores denuncian abusos en la mina de cobre del norte de Chile.", "es"),
        ("Des ouvriers dénoncent le travail forcé dans une usine de la région.", "fr"),
        ("Trabalhadores denunciam abusos na mina de cobre do Pará.", "pt"),
        ("Arbeiter streiken in der Fabrik wegen unbezahlter Löhne.", "de"),
        ("技能実習生に暴行か　星野化学の群馬工場", "ja"),
        ("龙石电子被指让实习学生上夜班", "zh-hans"),
        ("عمال نيباليون في قطر يشكون من مصادرة جوازات سفرهم", "ar"),
        ("Рабочие бастуют на заводе", "ru"),
    ],
)
def test_it_tells_the_language_of_a_text(text, language):
    assert detect_language(text) == language


def test_it_answers_with_content_language_codes():
    assert detect_language("工厂工人罢工，要求支付拖欠的工资。") == "zh-hans"


def test_it_trusts_the_feed_for_texts_too_short_to_judge():
    assert detect_language("Hola", hint="es") == "es"
    assert detect_language("Greve", hint="pt-BR") == "pt"


def test_it_says_nothing_for_a_short_text_without_a_hint():
    assert detect_language("Hola") == ""
    assert detect_language("") == ""


def test_the_hint_breaks_a_tie_between_chinese_and_kanji_only_japanese():
    assert detect_language("華信智視", hint="ja") == "ja"
    assert detect_language("華信智視", hint="zh-hans") == "zh-hans"


def test_it_ignores_a_hint_the_script_rules_out():
    assert detect_language("工厂工人罢工", hint="pt") == "zh-hans"
    assert detect_language("Workers strike", hint="ja") == ""


def test_the_text_wins_over_a_wrong_hint_when_it_is_clear():
    text = "Workers at the garment factory went on strike over unpaid wages and unsafe conditions."
    assert detect_language(text, hint="fr") == "en"
