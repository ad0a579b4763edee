"""A small published archive with every kind of thing that must never be published through the API."""

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client

from resourcecentre.companies.models import CompanyContact, CompanyIdentifier, CompanyName
from resourcecentre.news.models import Component, ComponentTranslation, Story, StoryTranslation
from resourcecentre.responses import services as responses
from resourcecentre.taxonomy.models import Country
from tests.factories import CompanyFactory, ComponentFactory, IssueFactory, StoryFactory

# Words that appear only in unpublished material: no API answer may contain one.
SECRETS = (
    "DRAFTCOMPONENT",
    "DRAFTSTORY",
    "UNPUBLISHEDREVISION",
    "privatecontact@",
    "DRAFTRESPONSEBODY",
    "SUBMITTEDRESPONSEBODY",
)


@dataclass
class World:
    kestrel: object
    northwind: object
    evictions: Component
    water: Component
    wages: Component
    draft: Component
    story: Story
    draft_story: Story


@pytest.fixture
def api(settings) -> Client:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "10000/m"}
    return Client(HTTP_HOST="127.0.0.1")


@pytest.fixture
def world(db) -> World:
    kestrel = CompanyFactory(name="Kestrel Mining plc", website="https://kestrel.example", listing="listed")
    northwind = CompanyFactory(name="Northwind Apparel Ltd")
    CompanyName.objects.create(company=kestrel, name="Kestrel Resources", kind="former")
    CompanyIdentifier.objects.create(company=kestrel, scheme="lei", value="529900T8BM49AURSDO55")
    CompanyContact.objects.create(company=kestrel, email="privatecontact@kestrel.example")
    kenya, peru = Country.objects.get(code="KE"), Country.objects.get(code="PE")
    kestrel.hq_country = kenya
    kestrel.save()
    land = IssueFactory(name="Land rights")

    def tagged(component, **tags):
        for field, values in tags.items():
            getattr(component, field).set(values)
        component.save()
        return component

    evictions = tagged(
        ComponentFactory(title="Kestrel accused over evictions", date=datetime.date(2021, 5, 1)),
        companies=[kestrel],
        countries=[kenya],
        issues=[land],
    )
    ComponentTranslation.objects.create(
        component=evictions, language="es", title="Kestrel acusada de desalojos", excerpt="<p>desalojos</p>"
    )
    water = tagged(
        ComponentFactory(title="Villagers say the mine poisoned their water", date=datetime.date(2023, 2, 1)),
        companies=[kestrel],
        countries=[peru],
    )
    wages = tagged(
        ComponentFactory(
            title="Garment workers unpaid at Northwind supplier", date=datetime.date(2022, 3, 1)
        ),
        companies=[northwind],
    )
    draft = tagged(ComponentFactory(title="DRAFTCOMPONENT about Kestrel", draft=True), companies=[kestrel])
    story = StoryFactory(
        headline="Kenya: Kestrel Mining accused of evictions", components=[evictions, water, draft]
    )
    story.companies.set([kestrel])
    StoryTranslation.objects.create(
        story=story,
        language="es",
        headline="Kenia: Kestrel Mining acusada de desalojos",
        summary="<p>Kenia</p>",
    )
    draft_story = StoryFactory(headline="DRAFTSTORY on Kestrel", draft=True, components=[evictions])

    # A published story with a newer draft, which also adds a translation: the rows keep the
    # published text and translations.
    story.headline = "UNPUBLISHEDREVISION headline"
    story.translations.add(StoryTranslation(language="fr", headline="UNPUBLISHEDREVISION titre"))
    story.save_revision()
    story.refresh_from_db()

    request = responses.response_request_open(
        story=story,
        allegation="Evictions without consultation.",
        deadline=responses.default_deadline(),
        contacts={
            kestrel: ["privatecontact@kestrel.example"],
            northwind: ["privatecontact@northwind.example"],
        },
    )
    invitations = {i.company_id: i for i in request.invitations.all()}
    responses.response_draft_save(invitation=invitations[kestrel.pk], body="DRAFTRESPONSEBODY", version=0)
    responses.response_submit(invitation=invitations[northwind.pk], body="SUBMITTEDRESPONSEBODY", version=0)
    return World(kestrel, northwind, evictions, water, wages, draft, story, draft_story)


def get_json(client: Client, url: str, status: int = 200, **headers) -> dict:
    response = client.get(url, **headers)
    assert response.status_code == status, response.content
    return response.json()
