"""/privacy/consents/: a person withdraws any consent they gave (Art. 7(3): as easy as giving
it). They give their address; if it is on file, a signed link to their consents and email
preferences is mailed to it, where each consent is withdrawn with one click. The answer is
the same whether or not the address is on file."""

from django import forms
from django.db import transaction
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from steward.email.services import preferences_link_send
from steward.portal.throttle import portal_rate_limited
from steward.portal.views import TOO_MANY, _page


class ConsentLinkForm(forms.Form):
    email = forms.EmailField(label="Your email address", max_length=254)


@never_cache
@require_http_methods(["GET", "POST"])
def consents(request):
    form = ConsentLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if portal_rate_limited(request, email=email):
            form.add_error(None, TOO_MANY)
            return _page(request, "consents", {"form": form}, status=429)
        with transaction.atomic():
            preferences_link_send(email=email)
        return _page(request, "consents_sent")
    return _page(request, "consents", {"form": form})
