from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "resourcecentre.companies"
    label = "companies"
