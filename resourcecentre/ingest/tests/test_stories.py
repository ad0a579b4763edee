import datetime

import pytest

from resourcecentre.ingest.stories import THRESHOLD, suggest_story
from resourcecentre.news.models import Story
from resourcecentre.taxonomy.models import Country
from tests.factories import CompanyFactory, ComponentFactory, IssueFactory, StoryFactory

pytestmark = pytest.mark.django_db

PUBLISHED = datetime.datetime(2025, 3, 4, 9, 0, tzinfo=datetime.UTC)
TODAY = PUBLISHED.date()

TITLE = "Norvale to suspend Zambian copper mine after tailings leak poisons river"
TEXT = """Norvale Mining said on Tuesday it would suspend operations at its Kasempa copper mine in
northern Zambia after a tailings dam leak contaminated a river used by about 12,000 villagers for
drinking water. Local officials said at least 40 people had been treated for skin rashes and that
fish had died along the Lunga river. Environmental groups said the dam had been flagged as unstable
two years ago. Residents demanded compensation and clean water deliveries."""


@pytest.fixture
def norvale():
    return CompanyFactory(name="Norvale Mining")


@pytest.fixture
def zambia():
    return Country.objects.get(code="ZM")


@pytest.fixture
def water():
    return IssueFactory(name="Water pollution")


def story(headline, summary="", *, active_days_ago=None, companies=(), countries=(), issues=(), **fields):
    """A published story whose latest component is `active_days_ago` days before the item."""
    components = []
    if active_days_ago is not None:
        components = [
            ComponentFactory(
                title=f"Update on {headline}", date=TODAY - datetime.timedelta(days=active_days_ago)
            )
        ]
    created = StoryFactory(
        headline=headline,
        summary=f"<p>{summary}</p>",
        date=TODAY - datetime.timedelta(days=800),
        components=components,
        **fields,
    )
    created.companies.set(companies)
    created.countries.set(countries)
    created.issues.set(issues)
    created.save()
    return created


def suggest(*, companies=(), countries=(), issues=(), title=TITLE, text=TEXT):
    return suggest_story(
        company_ids=[company.pk for company in companies],
        country_ids=[country.pk for country in countries],
        issue_ids=[issue.pk for issue in issues],
        title=title,
        text=text,
        published_at=PUBLISHED,
    )


def test_the_story_about_the_same_company_wins_over_a_text_only_match(norvale, zambia, water):
    about_norvale = story(
        "Zambia: Communities near Norvale Mining's copper operations demand action on pollution",
        "Villagers say waste from the mines has damaged their health and farmland.",
        active_days_ago=10,
        companies=[norvale],
        countries=[zambia],
    )
    story(
        "Kasempa copper mine: tailings dam leak poisons Lunga river used by villagers for drinking water",
        "A tailings leak contaminated a river; villagers treated for skin rashes demand compensation.",
        active_days_ago=2,
    )

    suggested, score = suggest(companies=[norvale], countries=[zambia], issues=[water])

    assert suggested == about_norvale
    assert score >= THRESHOLD


def test_close_text_and_shared_issues_find_a_story_without_the_company(zambia, water):
    spill = story(
        "Zambia: Tailings dam leak at Kasempa copper mine poisons river used by villagers",
        "Villagers treated for skin rashes demand compensation and clean drinking water.",
        active_days_ago=3,
        countries=[zambia],
        issues=[water],
    )

    assert suggest(countries=[zambia], issues=[water])[0] == spill


def test_a_dormant_story_decays_until_a_new_story_is_suggested(norvale, zambia):
    dormant = story(
        "Zambia: Communities near Norvale Mining's copper operations demand action on pollution",
        active_days_ago=700,
        companies=[norvale],
        countries=[zambia],
    )
    suggested, dormant_score = suggest(companies=[norvale], countries=[zambia])
    assert suggested is None

    ComponentFactory(title="Another complaint", date=TODAY - datetime.timedelta(days=5)).story_links.create(
        story=dormant
    )
    suggested, active_score = suggest(companies=[norvale], countries=[zambia])

    assert suggested == dormant
    assert active_score > THRESHOLD > dormant_score


def test_the_more_recently_active_of_two_equal_stories_wins(norvale, zambia):
    story(
        "Zambia: Norvale Mining copper pollution",
        active_days_ago=200,
        companies=[norvale],
        countries=[zambia],
    )
    recent = story(
        "Zambia: Norvale Mining copper pollution (2)",
        active_days_ago=4,
        companies=[norvale],
        countries=[zambia],
    )

    assert suggest(companies=[norvale], countries=[zambia])[0] == recent


def test_the_company_alone_is_not_enough(norvale, zambia):
    story(
        "Chile: Norvale Mining smelter workers report arsenic exposure",
        "Workers at the smelter near Antofagasta say protective equipment was withheld.",
        active_days_ago=3,
        companies=[norvale],
        countries=[Country.objects.get(code="CL")],
    )

    suggested, score = suggest(companies=[norvale], countries=[zambia])

    assert suggested is None
    assert 0 < score < THRESHOLD


def test_nothing_suitable_suggests_a_new_story(norvale, zambia):
    story(
        "Bangladesh: Garment workers allege wage theft at supplier",
        "Unions say overtime went unpaid for months.",
        active_days_ago=1,
        countries=[Country.objects.get(code="BD")],
    )

    assert suggest(companies=[norvale], countries=[zambia]) == (None, pytest.approx(0, abs=0.1))


def test_no_story_at_all_suggests_a_new_story(norvale):
    assert suggest(companies=[norvale]) == (None, 0.0)


def test_drafts_are_never_suggested(norvale, zambia):
    story(
        "Zambia: Norvale Mining copper pollution",
        active_days_ago=4,
        companies=[norvale],
        countries=[zambia],
        live=False,
    )

    assert suggest(companies=[norvale], countries=[zambia])[0] is None


def test_the_titles_of_recent_components_count_as_the_story_text(zambia, water):
    generic = story("Zambia: Mining and communities", active_days_ago=30, countries=[zambia], issues=[water])
    assert suggest(countries=[zambia], issues=[water])[0] is None

    ComponentFactory(
        title="Norvale suspends Kasempa copper mine after tailings leak poisons Lunga river",
        date=TODAY - datetime.timedelta(days=1),
    ).story_links.create(story=generic)

    assert suggest(countries=[zambia], issues=[water])[0] == generic


def test_a_suggestion_takes_one_query_once_the_stories_are_loaded(
    norvale, zambia, water, django_assert_num_queries
):
    for number in range(30):
        story(
            f"Zambia: Norvale Mining story {number}",
            active_days_ago=number,
            companies=[norvale],
            countries=[zambia],
        )
    suggest(companies=[norvale], countries=[zambia])

    with django_assert_num_queries(1):
        suggested, _score = suggest(companies=[norvale], countries=[zambia], issues=[water])
    assert suggested.headline == "Zambia: Norvale Mining story 0"


def test_a_story_published_after_loading_is_suggested_at_once(norvale, zambia):
    assert suggest(companies=[norvale], countries=[zambia])[0] is None

    new = story(
        "Zambia: Norvale Mining copper pollution", active_days_ago=1, companies=[norvale], countries=[zambia]
    )

    assert suggest(companies=[norvale], countries=[zambia])[0] == new


def test_a_story_deleted_after_loading_is_not_suggested(norvale, zambia):
    gone = story(
        "Zambia: Norvale Mining copper pollution", active_days_ago=1, companies=[norvale], countries=[zambia]
    )
    assert suggest(companies=[norvale], countries=[zambia])[0] == gone

    Story.objects.filter(pk=gone.pk).delete()

    assert suggest(companies=[norvale], countries=[zambia])[0] is None
