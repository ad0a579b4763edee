import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

# The response mechanism's own fixtures: an editor, a story, a company and an open invitation.
from resourcecentre.responses.tests.conftest import editor, invitation, kestrel, story  # noqa: F401


@pytest.fixture
def outsider(db):
    """A user who may open the admin and nothing else."""
    user = get_user_model().objects.create_user("outsider", "outsider@example.org", "pw-outsider-1")
    group = Group.objects.create(name="Admin access only")
    group.permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    )
    user.groups.add(group)
    return user
