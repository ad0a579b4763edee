"""factory_boy factories for tests, seeded so every run builds the same world."""

import datetime

import factory
import factory.random
from factory.django import DjangoModelFactory

from resourcecentre.companies.models import Company
from resourcecentre.news.models import Component, ComponentType, Source, Story, StoryComponent
from resourcecentre.site_messages.models import SiteMessage
from resourcecentre.taxonomy.models import Issue, Sector, Stakeholder

factory.random.reseed_random(20200612)


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Outlet {n}")
    website = factory.LazyAttribute(lambda o: f"https://outlet-{o.name.split()[-1]}.example")


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n} Ltd")


class IssueFactory(DjangoModelFactory):
    class Meta:
        model = Issue
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Issue {n}")


class SectorFactory(IssueFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["name"]


class StakeholderFactory(IssueFactory):
    class Meta:
        model = Stakeholder
        django_get_or_create = ["name"]


class ComponentFactory(DjangoModelFactory):
    class Meta:
        model = Component

    title = factory.Sequence(lambda n: f"Workers report unpaid overtime at factory {n}")
    type = factory.LazyFunction(lambda: ComponentType.objects.get(slug="article"))
    date = factory.Sequence(lambda n: datetime.date(2020, 1, 1) + datetime.timedelta(days=n))
    author = "Ana Ruiz"
    source = factory.SubFactory(SourceFactory, name="Daily Ledger")
    excerpt = "<p>... workers said they were not paid for [overtime] hours ...</p>"
    url = factory.Sequence(lambda n: f"https://news.example/articles/{n}")
    language = "en"
    live = True

    class Params:
        draft = factory.Trait(live=False)
        response = factory.Trait(
            type=factory.LazyFunction(lambda: ComponentType.objects.get(slug="company-response"))
        )


class StoryFactory(DjangoModelFactory):
    class Meta:
        model = Story
        skip_postgeneration_save = True

    headline = factory.Sequence(lambda n: f"Global: Garment workers allege wage theft at supplier {n}")
    summary = "<p>Workers and unions raised concerns about unpaid wages.</p>"
    date = datetime.date(2020, 6, 12)
    language = "en"
    live = True

    class Params:
        draft = factory.Trait(live=False)

    @factory.post_generation
    def components(self, create, extracted, **kwargs):
        for order, component in enumerate(extracted or []):
            StoryComponent.objects.create(story=self, component=component, sort_order=order)


class SiteMessageFactory(DjangoModelFactory):
    class Meta:
        model = SiteMessage

    title = "Updating the Resource Centre"
    body = "<p>We are refreshing the site. Tell us what you think.</p>"
    link_url = "/en/"
    link_label = "Find Out More"
    starts_at = factory.LazyFunction(lambda: datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
