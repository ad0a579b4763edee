from django.urls import path
from wagtail import hooks

from . import two_factor


@hooks.register("register_admin_urls")
def two_factor_urls():
    return [
        path("2fa/verify/", two_factor.verify, name="ops_2fa_verify"),
        path("2fa/setup/", two_factor.setup, name="ops_2fa_setup"),
    ]
