from django.contrib.sitemaps import Sitemap

from resourcecentre.companies.models import Company
from resourcecentre.news.models import Component, Story


class StorySitemap(Sitemap):
    limit = 10_000

    def items(self):
        return Story.objects.published().only("slug", "updated_at").order_by("id")

    def lastmod(self, story):
        return story.updated_at


class ComponentSitemap(Sitemap):
    limit = 10_000

    def items(self):
        return Component.objects.published().only("slug", "updated_at").order_by("id")

    def lastmod(self, component):
        return component.updated_at


class CompanySitemap(Sitemap):
    limit = 10_000

    def items(self):
        return Company.objects.only("slug", "updated_at").order_by("id")

    def lastmod(self, company):
        return company.updated_at


SITEMAPS = {"stories": StorySitemap, "news": ComponentSitemap, "companies": CompanySitemap}
