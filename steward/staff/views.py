"""Signing staff in. Signing out is Django's LogoutView, which accepts POST only, so a link
or an image on another site cannot sign someone out."""

from django.contrib.auth import views as auth_views

from steward.staff.forms import StaffLoginForm


class StaffLoginView(auth_views.LoginView):
    form_class = StaffLoginForm
    template_name = "staff/login.html"
    redirect_authenticated_user = True
