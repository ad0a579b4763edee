import datetime
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from resourcecentre.companies.models import Company, CompanyName
from resourcecentre.ingest import tagging
from resourcecentre.ingest.models import IssueKeyword
from resourcecentre.ingest.tagging import SUGGEST_THRESHOLD, Tagger, get_tagger
from resourcecentre.ingest.tagging import cache as tagger_cache
from resourcecentre.taxonomy.models import Country, Issue
from tests.factories import CompanyFactory, IssueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_tagger():
    """Each test's rows are rolled back without signals: start every test from a rebuilt tagger."""
    tagging.invalidate_tagger()


def company(name: str, aliases: tuple[str, ...] = (), former: tuple[str, ...] = ()) -> Company:
    found = CompanyFactory(name=name)
    for other in aliases:
        CompanyName.objects.create(company=found, name=other, kind=CompanyName.Kind.ALIAS)
    for other in former:
        CompanyName.objects.create(company=found, name=other, kind=CompanyName.Kind.FORMER)
    return found


def suggested(
    title: str, text: str = "", language: str = "en", kind: str = "company"
) -> dict[int, tagging.Tag]:
    tags = get_tagger().tag(title, text, language)
    return {t.term_id: t for t in tags if t.kind == kind and t.confidence >= SUGGEST_THRESHOLD}


def countries(title: str, text: str = "", language: str = "en") -> set[str]:
    ids = suggested(title, text, language, kind="country")
    return set(Country.objects.filter(pk__in=ids).values_list("code", flat=True))


def issues(title: str, text: str = "", language: str = "en") -> set[str]:
    ids = suggested(title, text, language, kind="issue")
    return set(Issue.objects.filter(pk__in=ids).values_list("name", flat=True))


# Companies


@pytest.mark.parametrize(
    ("registered", "mention"),
    [
        ("Kestrel Mining plc", "Kestrel Mining"),
        ("Kestrel Mining", "Kestrel Mining Public Limited Company"),
        ("Sakura Denki K.K.", "Sakura Denki"),
        ("Hanover Textiles Co., Ltd.", "Hanover Textiles Co. Ltd"),
        ("Grupo Velora S.A.", "Grupo Velora SA"),
        ("Falkenstein Logistik GmbH", "Falkenstein Logistik"),
        ("Volkov Neftegaz PJSC", "Volkov Neftegaz"),
        ("Andes Copper Corporation", "Andes Copper"),
        ("Sierra Madre Foods S.A. de C.V.", "Sierra Madre Foods"),
    ],
)
def test_it_finds_a_company_whatever_legal_form_is_written(registered, mention):
    found = company(registered)
    text = f"Workers at a site run by {mention} said they had not been paid since March."
    assert found.pk in suggested("Workers protest", text)


@pytest.mark.parametrize(
    ("alias", "kind", "text", "language"),
    [
        ("さくら電機株式会社", "alias", "株式会社さくら電機の取引先工場で強制労働の疑い", "ja"),
        ("さくら電機株式会社", "alias", "さくら電機は調査を始めたと発表した。", "ja"),
        ("桜電気工業株式会社", "former", "かつて桜電気工業が操業していた工場", "ja"),
        ("华信智视科技有限公司", "alias", "新疆警方购买了华信智视科技的摄像头。", "zh-hans"),
        ("ОАО «Сибнефтересурс»", "former", "Скважины ОАО Сибнефтересурс до сих пор протекают.", "ru"),
        ("رفيق للتوصيل", "alias", "توقف سائقو تطبيق رفيق للتوصيل عن العمل في دبي.", "ar"),
    ],
)
def test_it_finds_aliases_and_former_names_in_other_scripts(alias, kind, text, language):
    found = company(
        "Sakura Denki K.K.", **({"aliases": (alias,)} if kind == "alias" else {"former": (alias,)})
    )
    assert found.pk in suggested("", text, language)


def test_a_former_name_is_enough():
    found = company("Pinnacle Data Systems Inc.", former=("Pinnacle Analytics Inc.",))
    assert found.pk in suggested("Pinnacle Analytics fined over data scandal")


@pytest.mark.parametrize(
    ("name", "common_use", "company_use"),
    [
        (
            "Apple Inc.",
            "Apple growers in Chile's Maule region face a fourth year of drought.",
            "The company Apple said it would audit its suppliers in Zhengzhou.",
        ),
        (
            "Shell plc",
            "Shell companies registered in the British Virgin Islands hid the payments.",
            "In a statement, Shell said the spill had been contained.",
        ),
        (
            "Total S.A.",
            "A total of 300 workers were laid off. Total emissions rose by 6 per cent.",
            "Villagers sued Total S.A. over the pipeline.",
        ),
        (
            "Amazon",
            "Satellite images show new clearings in the Brazilian Amazon, near the Amazon basin.",
            "Warehouse workers say Amazon's quotas leave no time for breaks, and Amazon denied it.",
        ),
        (
            "Target Corporation",
            "Most brands will miss the living-wage target they set. Activists were the target of threats.",
            "The retailer Target said it had ended its contract with the factory.",
        ),
        (
            "Gap Inc.",
            "The gender pay gap widened. Gap year students volunteer on farms.",
            "Workers making clothes for the brand Gap went on strike.",
        ),
        (
            "Next plc",
            "Next week the court will hear the case. The next hearing is in May.",
            "Next plc said it was investigating its supplier in Leicester.",
        ),
        (
            "Kestrel Mining plc",
            "Volunteers counted eleven breeding pairs of kestrel on the restored land.",
            "Kestrel Mining plc owns the mine. Kestrel said tests met national standards.",
        ),
    ],
)
def test_a_name_that_is_a_common_word_needs_company_context(name, common_use, company_use):
    found = company(name, aliases=(name.split()[0],))
    assert found.pk not in suggested("", common_use)
    assert found.pk in suggested("", company_use)


def test_a_common_word_at_the_start_of_a_title_is_shown_but_not_suggested():
    found = company("Target Corporation", aliases=("Target",))
    tags = Tagger.from_database().tag("Target missed: brands fall short of wage pledges", "")
    [tag] = [t for t in tags if t.kind == "company"]
    assert tag.term_id == found.pk
    assert tag.confidence < SUGGEST_THRESHOLD


def test_acronyms_must_be_written_in_capitals():
    found = company("Société Minière de Kambaré SA", aliases=("SMK",))
    assert found.pk in suggested("", "A mine run by SMK has destroyed fields in Boké, farmers say.")
    assert found.pk not in suggested("", "Farmers say smk is a word nobody uses.")


def test_a_short_name_counts_when_the_full_name_is_in_the_item():
    found = company("Northwind Apparel Ltd", aliases=("Northwind",))
    tags = Tagger.from_database().tag(
        "Northwind Apparel settles wage case", "Northwind will pay the workers."
    )
    [tag] = [t for t in tags if t.kind == "company"]
    assert tag.term_id == found.pk and tag.field == "title" and tag.confidence == 0.9


# Countries


def test_it_finds_countries_by_name_demonym_and_capital():
    assert countries("Cambodia: workers faint at garment factory") == {"KH"}
    assert countries("", "Bangladeshi workers walked out.") == {"BD"}
    assert countries("", "Police in Nairobi arrested the organisers.") == {"KE"}
    assert countries("", "Trabajadores guatemaltecos en granjas de Canadá.", "es") == {"GT", "CA"}
    assert countries("", "カンボジアの首都プノンペン近郊の縫製工場", "ja") == {"KH"}
    assert countries("", "قررت النيابة حبس صحفي بمصر", "ar") == {"EG"}


def test_georgia_the_us_state_is_not_the_country():
    assert countries("Georgia: miners strike at manganese mine in Chiatura") == {"GE"}
    assert "GE" not in countries("", "Workers at a warehouse outside Atlanta, Georgia, say fans were broken.")


def test_a_person_named_jordan_or_chad_is_not_a_country():
    assert countries("", "Garment workers in Jordan will receive back pay.") == {"JO"}
    assert countries("", "Union organiser Jordan Ellis was sacked.") == set()
    assert countries("", "Farmers in southern Chad say oil spoiled their fields.") == {"TD"}
    assert countries("", "Chad Morrison, a spokesman, defended the contracts.") == set()


def test_turkey_the_bird_and_china_the_porcelain_are_not_countries():
    assert countries("", "Workers at a turkey processing plant report injuries.") == set()
    assert countries("", "Turkey has tightened rules on refugee work permits.") == {"TR"}
    assert countries("", "The last bone china pottery may close.") == set()
    assert countries("", "Factories in China supply the brand.") == {"CN"}


def test_the_longest_place_wins():
    assert countries("", "Fishermen in the Niger Delta sued the company.") == {"NG"}
    assert countries("", "Wages in Latin America fell.") == set()


def test_a_country_named_as_a_company_nationality_is_not_suggested():
    company("Velora Fashion Group S.p.A.", aliases=("Velora",))
    assert countries("", "Italy's Velora said it sent a team to the factory in Cambodia.") == {"KH"}
    assert countries("", "The Japanese retailer said girls worked at its supplier in Ethiopia.") == {"ET"}


def test_a_country_inside_a_company_name_is_not_a_mention():
    company("Pétroles du Golfe de Guinée SA")
    assert countries("", "Pétroles du Golfe de Guinée exploite un oléoduc au Tchad.", "fr") == {"TD"}


def test_latin_forms_of_other_languages_are_only_looked_for_in_that_language():
    # "Mỹ" is the United States in Vietnamese; "my" is not a country in English.
    assert countries("", "My colleagues were not paid.") == set()


# Issues


def test_it_finds_issues_from_the_lexicon_in_the_item_language():
    assert issues("Children found working in cobalt pits", "Researchers documented child labour.") >= {
        "Child labour"
    }
    assert "Child labour" in issues("", "Niños trabajan en las minas: el trabajo infantil persiste.", "es")
    assert "Child labour" not in issues("", "El trabajo infantil persiste.", "fr")


def test_foreign_nationals_working_abroad_signal_migrant_workers():
    assert "Migrant workers' rights" in issues("", "Nepali workers on building sites in Qatar were not paid.")
    assert "Migrant workers' rights" not in issues("", "Bangladeshi workers in Dhaka walked out.")


def test_an_issue_keyword_added_by_an_editor_is_picked_up_at_once():
    issue = IssueFactory(name="Living wage")
    assert "Living wage" not in {t.name for t in Issue.objects.filter(pk__in=_issue_ids("Sweatshop exposed"))}
    IssueKeyword.objects.create(issue=issue, language="en", phrase="sweatshop")
    assert issue.pk in _issue_ids("Sweatshop exposed")


def test_the_tagger_notices_changes_made_by_another_process(monkeypatch):
    get_tagger()
    found = CompanyFactory(name="Orion Cobalt SARL")
    # bulk_create sends no signals, as a write from another process would not reach this one
    CompanyName.objects.bulk_create([CompanyName(company=found, name="Cobalto Orion")])
    tagger_cache._cache.stale = False
    monkeypatch.setattr(tagger_cache, "RECHECK_SECONDS", 0.0)
    tags = get_tagger().tag("", "Cobalto Orion said it suspended purchases.")
    assert found.pk in {t.term_id for t in tags if t.kind == "company"}


@pytest.fixture
def clock(monkeypatch):
    """The tagger cache's monotonic clock, moved on by hand."""
    now = [1_000.0]
    monkeypatch.setattr(tagger_cache.time, "monotonic", lambda: now[0])
    return now


def test_edits_made_by_another_process_are_picked_up_after_the_check_interval(clock):
    wages, privacy = IssueFactory(name="Living wage"), Issue.objects.get(name="Privacy")
    keyword = IssueKeyword.objects.create(issue=wages, language="en", phrase="sweatshop")
    assert wages.pk in _issue_ids("Sweatshop exposed")
    later = timezone.now() + datetime.timedelta(seconds=1)

    def edited_elsewhere(**fields) -> None:
        """An edit saved by another process: this one gets no signal, only the new row."""
        IssueKeyword.objects.filter(pk=keyword.pk).update(updated_at=later, **fields)

    # The keyword moves to another issue: seen once the interval has passed, not before.
    edited_elsewhere(issue=privacy)
    assert wages.pk in _issue_ids("Sweatshop exposed")
    clock[0] += tagger_cache.RECHECK_SECONDS
    assert _issue_ids("Sweatshop exposed") >= {privacy.pk} and wages.pk not in _issue_ids("Sweatshop exposed")

    # A phrase of the same length, and another language.
    later += datetime.timedelta(seconds=1)
    edited_elsewhere(phrase="sweatjob")
    clock[0] += tagger_cache.RECHECK_SECONDS
    assert privacy.pk in _issue_ids("Sweatjob exposed")
    later += datetime.timedelta(seconds=1)
    edited_elsewhere(language="fr")
    clock[0] += tagger_cache.RECHECK_SECONDS
    assert privacy.pk not in _issue_ids("Sweatjob exposed", language="en")


def test_renamed_issues_and_companies_are_picked_up_by_other_processes(clock):
    issue = IssueFactory(name="Living wage")
    found = CompanyFactory(name="Orion Cobalt SARL")
    get_tagger()
    # Names of the same length, saved without signals, as another process's saves would be.
    Issue.objects.filter(pk=issue.pk).update(name="Living wags")
    clock[0] += tagger_cache.RECHECK_SECONDS
    assert issue.pk in _issue_ids("Living wags for all")

    Company.objects.filter(pk=found.pk).update(
        name="Orion Nickel SARL", updated_at=timezone.now() + datetime.timedelta(seconds=1)
    )
    clock[0] += tagger_cache.RECHECK_SECONDS
    tags = get_tagger().tag("", "Orion Nickel said it suspended purchases.")
    assert found.pk in {t.term_id for t in tags if t.kind == "company"}


def _issue_ids(title: str, language: str = "") -> set[int]:
    return {t.term_id for t in get_tagger().tag(title, "", language) if t.kind == "issue"}


# Tags


def test_spans_point_at_the_matched_text():
    company("Kestrel Mining plc", aliases=("Kestrel",))
    title = "Zambia: Kestrel Mining’s tailings dam leaked"
    text = "Villagers near Kitwe say the river turned orange. Kestrel said tests met standards."
    tags = Tagger.from_database().tag(title, text)
    fields = {"title": title, "text": text}
    assert tags
    for tag in tags:
        assert fields[tag.field][tag.start : tag.end] == tag.matched
    matched = {(t.kind, t.matched) for t in tags}
    assert ("company", "Kestrel Mining") in matched
    assert ("country", "Zambia") in matched


def test_spans_survive_dropped_characters():
    company("Sakura Denki K.K.")
    text = "Workers at   Sa\u00adkura Denki K.K. say—again—they were not paid."
    [tag] = [t for t in Tagger.from_database().tag("", text) if t.kind == "company"]
    assert text[tag.start : tag.end] in {"Sa\u00adkura Denki K.K", "Sa\u00adkura Denki"}
    assert tag.matched == text[tag.start : tag.end]


def test_tags_come_one_per_term_by_kind_then_confidence():
    company("Northwind Apparel Ltd", aliases=("Northwind",))
    company("Velora Fashion Group S.p.A.", aliases=("Velora",))
    text = (
        "Velora Fashion Group and Northwind buy from the factory in Cambodia. Velora said it would pay wages."
    )
    tags = Tagger.from_database().tag("", text)
    kinds = [t.kind for t in tags]
    assert kinds == sorted(kinds)
    for kind in set(kinds):
        confidences = [t.confidence for t in tags if t.kind == kind]
        assert confidences == sorted(confidences, reverse=True)
        terms = [t.term_id for t in tags if t.kind == kind]
        assert len(terms) == len(set(terms))
    velora, northwind = (next(t for t in tags if t.matched.startswith(n)) for n in ("Velora", "Northwind"))
    assert velora.confidence > northwind.confidence


# Measuring


def test_evaluate_tagging_reports_f1_and_leaves_the_database_unchanged(tmp_path):
    rows = [
        {"company": "Kestrel Mining plc", "aliases": ["Kestrel"], "former_names": ["Kestrel Resources plc"]},
        {
            "title": "Zambia: Kestrel Mining accused of polluting river",
            "text": "Kestrel said the water met standards. Villagers report pollution.",
            "url": "https://news.example/1",
            "language": "en",
            "companies": ["Kestrel Mining plc"],
            "countries": ["ZM"],
            "issues": ["Environmental pollution"],
        },
        {
            "title": "Apple growers face drought",
            "text": "Apple growers in Chile say canals are dry.",
            "url": "https://news.example/2",
            "language": "en",
            "companies": [],
            "countries": ["CL"],
            "issues": [],
        },
    ]
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    before = (Company.objects.count(), CompanyName.objects.count())
    out = StringIO()
    call_command("evaluate_tagging", str(path), stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(r"companies_f1=\d\.\d{3} countries_f1=\d\.\d{3} issues_f1=\d\.\d{3} items=2", last)
    assert "companies_f1=1.000 countries_f1=1.000" in last
    assert (Company.objects.count(), CompanyName.objects.count()) == before
