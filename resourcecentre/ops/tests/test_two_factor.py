import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", PASSWORD)


@pytest.fixture
def required(settings):
    settings.EDITOR_2FA_REQUIRED = True


def _code(device: TOTPDevice, *, offset: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):06d}"


def _login(client) -> None:
    response = client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
    assert response.status_code == 302


def test_an_editor_without_an_authenticator_is_sent_to_set_one_up(client, editor, required):
    _login(client)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/2fa/setup/")
    page = client.get(response["Location"])
    assert "Set up two-factor authentication" in page.content.decode()
    assert "<svg" in page.content.decode()


def test_setting_up_with_a_right_code_opens_the_admin(client, editor, required):
    _login(client)
    client.get("/admin/2fa/setup/")
    device = TOTPDevice.objects.get(user=editor)
    assert client.get("/admin/").status_code == 302

    done = client.post("/admin/2fa/setup/", {"otp_token": _code(device), "next": "/admin/"})
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert TOTPDevice.objects.get(user=editor).confirmed
    assert client.get("/admin/").status_code == 200


def test_a_password_alone_does_not_reach_any_admin_page(client, editor, required):
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    _login(client)
    for url in ("/admin/", "/admin/users/", "/admin/snippets/news/component/", "/admin/2fa/setup/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/2fa/verify/"), url
    assert client.post("/admin/2fa/verify/", {"otp_token": _code(device)}).status_code == 302
    assert client.get("/admin/users/").status_code == 200


def test_a_code_is_refused_after_a_wrong_one_until_the_back_off_passes(client, editor, required):
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    _login(client)
    wrong = "123456" if _code(device) != "123456" else "654321"
    assert (
        "That code is not right" in client.post("/admin/2fa/verify/", {"otp_token": wrong}).content.decode()
    )
    refused = client.post("/admin/2fa/verify/", {"otp_token": _code(device)})
    assert refused.status_code == 200
    assert "That code is not right" in refused.content.decode()


def test_the_verify_page_never_redirects_off_site(client, editor, required):
    device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
    _login(client)
    response = client.post(
        "/admin/2fa/verify/", {"otp_token": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/admin/"


def test_without_the_setting_a_password_is_enough(client, editor):
    _login(client)
    assert client.get("/admin/").status_code == 200


def test_the_deployment_check_warns_while_two_factors_are_off(settings):
    from resourcecentre.ops.checks import editors_need_two_factors

    settings.EDITOR_2FA_REQUIRED = False
    assert [w.id for w in editors_need_two_factors(None)] == ["ops.W001"]
    settings.EDITOR_2FA_REQUIRED = True
    assert editors_need_two_factors(None) == []
