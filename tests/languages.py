"""Pages and sentences in a given interface language, for the language tests."""

from django.urls import reverse
from django.utils.translation import gettext, override


def url_in(language: str, name: str, **kwargs) -> str:
    """The address of the page `name` under `language`'s prefix and section names."""
    with override(language):
        return reverse(name, kwargs=kwargs)


def said(language: str, message: str, **values) -> str:
    """A sentence as the page says it in `language`, whether or not its catalogue has it yet."""
    with override(language):
        return gettext(message) % values


def page(client, path: str, **kwargs) -> str:
    """The page's HTML, which must answer 200."""
    response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()
