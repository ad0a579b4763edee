import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from resourcecentre.responses import services
from tests.factories import CompanyFactory, StoryFactory


@pytest.fixture
def editor(db):
    user = get_user_model().objects.create_user("editor", "editor@newsroom.example", "pw-editor-1")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def story(db):
    return StoryFactory(headline="Global: Workers allege unpaid overtime at Kestrel Mining suppliers")


@pytest.fixture
def kestrel(db):
    return CompanyFactory(name="Kestrel Mining")


@pytest.fixture
def invitation(story, kestrel, editor):
    """One open invitation to Kestrel Mining, with a deadline a week away."""
    request = services.response_request_open(
        story=story,
        allegation="Workers at two supplier mines say overtime went unpaid for six months.",
        deadline=timezone.now() + datetime.timedelta(days=7),
        contacts={kestrel: ["press@kestrel.example"]},
        user=editor,
    )
    return request.invitations.get()
