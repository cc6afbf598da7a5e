"""Forms of the staff sign-in pages."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

# One message for every refusal: an unknown address, a wrong password and a deactivated
# account must look the same, or the form tells an attacker which addresses have accounts.
LOGIN_REFUSED = "That email address and password do not match. Please try again."


class StaffLoginForm(AuthenticationForm):
    """Email and password; addresses are matched the way they are stored (lower-case)."""

    error_messages = {"invalid_login": LOGIN_REFUSED, "inactive": LOGIN_REFUSED}

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = "Email address"
        username.widget = forms.EmailInput(
            attrs={"autofocus": True, "autocomplete": "username", "maxlength": 254}
        )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()
