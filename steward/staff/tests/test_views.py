import pytest
from django.urls import reverse

from steward.staff.forms import LOGIN_REFUSED
from steward.staff.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, email, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": email, "password": password, **extra})


def test_the_login_page_shows_the_form_without_the_navigation(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="login-box' in html
    assert 'name="username"' in html and 'type="email"' in html
    assert 'class="mainnav"' not in html


def test_it_signs_a_member_of_staff_in_and_sends_them_to_the_dashboard(client, owner):
    response = _login(client, owner.email)

    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_it_matches_the_email_address_whatever_its_case(client, owner):
    response = _login(client, "  Alice.Owner@EXAMPLE.com ")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_it_returns_to_the_page_asked_for_after_signing_in(client, owner):
    response = _login(client, owner.email, next=reverse("deals:board"))

    assert response.url == reverse("deals:board")


def test_it_refuses_a_wrong_password_with_a_clear_message(client, owner):
    response = _login(client, owner.email, password="not the password")

    assert response.status_code == 200
    assert LOGIN_REFUSED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unknown_address_and_a_deactivated_account_get_the_same_answer_as_a_wrong_password(
    client, owner
):
    UserFactory(email="gone@example.com", is_active=False)

    answers = [
        _login(client, owner.email, password="not the password"),
        _login(client, "nobody@example.com"),
        _login(client, "gone@example.com"),
    ]

    assert {r.status_code for r in answers} == {200}
    errors = [r.context["form"].errors.as_data() for r in answers]
    assert all(list(e) == ["__all__"] for e in errors)
    assert {e["__all__"][0].message for e in errors} == {LOGIN_REFUSED}
    assert "_auth_user_id" not in client.session


def test_staff_pages_send_a_signed_out_visitor_to_the_login_page(client):
    for name in ("dashboard", "deals:board", "deals:create"):
        response = client.get(reverse(name))

        assert response.status_code == 302
        assert response.url.startswith(reverse("login") + "?next=")


def test_logging_out_takes_a_post_and_ends_the_session(client, owner):
    client.force_login(owner)

    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_signed_in_visitor_of_the_login_page_goes_to_the_dashboard(client, owner):
    client.force_login(owner)

    response = client.get(reverse("login"))

    assert response.status_code == 302
    assert response.url == reverse("dashboard")
