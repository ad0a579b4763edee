import re
from urllib.parse import unquote

import pytest

from resourcecentre.companies.models import Company, CompanyIdentifier, CompanyName
from resourcecentre.responses import services
from resourcecentre.taxonomy.models import Country
from tests.factories import CompanyFactory, SectorFactory, StoryFactory

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    html = response.content.decode()
    block = html.split('<ul class="company-list">')[1].split("</ul>")[0]
    return [
        Company.objects.get(slug=unquote(slug)).name
        for slug in re.findall(r'href="/en/companies/([^/"]+)/"', block)
    ]


@pytest.fixture
def companies():
    mining, garments = SectorFactory(name="Mining"), SectorFactory(name="Apparel & footwear")
    peru, japan = Country.objects.get(code="PE"), Country.objects.get(code="JP")
    kestrel = CompanyFactory(name="Kestrel Mining", hq_country=Country.objects.get(code="GB"))
    kestrel.sectors.set([mining])
    kestrel.countries.set([peru])
    kestrel.save()
    andes = CompanyFactory(name="Andes Copper", hq_country=peru)
    andes.sectors.set([mining])
    andes.save()
    tsubame = CompanyFactory(name="つばめファッション", hq_country=japan)
    tsubame.sectors.set([garments])
    tsubame.save()
    return kestrel, andes, tsubame


def test_the_index_lists_companies_by_name(client, companies):
    assert _names(client.get("/en/companies/")) == ["Andes Copper", "Kestrel Mining", "つばめファッション"]


def test_the_index_filters_by_letter_sector_and_country(client, companies):
    assert _names(client.get("/en/companies/", {"letter": "k"})) == ["Kestrel Mining"]
    # Names in other scripts are filed under their first letter in Latin letters.
    assert _names(client.get("/en/companies/", {"letter": "T"})) == ["つばめファッション"]
    CompanyFactory(name="Électricité du Nord")
    CompanyFactory(name="3M Mining")
    assert _names(client.get("/en/companies/", {"letter": "E"})) == ["Électricité du Nord"]
    assert _names(client.get("/en/companies/", {"letter": "#"})) == ["3M Mining"]
    assert _names(client.get("/en/companies/", {"sector": "mining"})) == ["Andes Copper", "Kestrel Mining"]
    # A country takes in the companies headquartered there and those operating there.
    assert _names(client.get("/en/companies/", {"country": "peru"})) == ["Andes Copper", "Kestrel Mining"]
    assert _names(client.get("/en/companies/", {"country": "peru", "letter": "A"})) == ["Andes Copper"]


def test_the_index_ignores_what_it_does_not_know(client, companies):
    response = client.get(
        "/en/companies/", {"letter": "<script>", "sector": "\x00nope", "page": "x", "foo": "1"}
    )
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()
    assert "0 companies" in response.content.decode()  # an unknown sector matches nothing


def test_the_index_offers_only_sectors_and_countries_that_have_companies(client, companies):
    html = client.get("/en/companies/").content.decode()
    assert '<option value="mining"' in html and '<option value="peru"' in html
    assert '<option value="france"' not in html


def test_the_company_page_shows_the_full_profile(client, companies):
    kestrel, andes, _ = companies
    andes.parent = kestrel
    andes.listing = Company.Listing.PRIVATE
    andes.save()
    CompanyName.objects.create(company=andes, name="Cobre Andino", kind=CompanyName.Kind.FORMER)
    CompanyName.objects.create(company=andes, name="アンデス銅", kind=CompanyName.Kind.ALIAS)
    CompanyIdentifier.objects.create(company=andes, scheme="lei", value="529900T8BM49AURSDO55")
    html = client.get(andes.get_absolute_url()).content.decode()
    for text in (
        "Kestrel Mining",
        "Privately held",
        "Cobre Andino",
        "(former name)",
        "アンデス銅",
        "529900T8BM49AURSDO55",
    ):
        assert text in html
    assert "Andes Copper" in client.get(kestrel.get_absolute_url()).content.decode()  # a subsidiary
    kestrel_html = client.get(kestrel.get_absolute_url()).content.decode()
    assert "Operates in" in kestrel_html and "Peru" in kestrel_html


def test_the_company_page_shows_its_response_record(client, companies):
    kestrel = companies[0]
    assert "We have not yet invited Kestrel Mining" in client.get(kestrel.get_absolute_url()).content.decode()
    answered = StoryFactory(headline="Peru: Tailings spill reaches river")
    ignored = StoryFactory(headline="Peru: Second spill")
    for story in (answered, ignored):
        services.response_request_open(
            story=story,
            allegation="Spill.",
            deadline=services.default_deadline(),
            contacts={kestrel: ["a@k.example"]},
        )
    first = kestrel.invitations.get(request__story=answered)
    services.response_submit(invitation=first, body="We cleaned it up.", version=0)
    component = services.response_publish(invitation=first, user=None)
    services.invitation_outcome_record(
        invitation=kestrel.invitations.get(request__story=ignored), outcome="no-response"
    )

    html = client.get(kestrel.get_absolute_url()).content.decode()
    assert "We invited Kestrel Mining to respond 2 times." in html
    assert "Response rate: 50 % (1 of 2 closed requests)" in html
    assert 'role="img"' in html  # the chart by year, with its table
    assert component.get_absolute_url() in html and answered.get_absolute_url() in html
