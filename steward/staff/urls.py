from django.contrib.auth import views as auth_views
from django.urls import path

from steward.staff import views, views_account

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("login/verify/key/options/", views.login_webauthn_options, name="login_webauthn_options"),
    path("login/verify/key/", views.login_webauthn_verify, name="login_webauthn_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/security/", views_account.account_security, name="account_security"),
    path("account/security/app/", views_account.account_totp_enrol, name="account_totp_enrol"),
    path(
        "account/security/app/remove/",
        views_account.account_totp_remove,
        name="account_totp_remove",
    ),
    path(
        "account/security/recovery-codes/",
        views_account.account_recovery_codes,
        name="account_recovery_codes",
    ),
    path(
        "account/security/keys/options/",
        views_account.account_webauthn_options,
        name="account_webauthn_options",
    ),
    path(
        "account/security/keys/",
        views_account.account_webauthn_register,
        name="account_webauthn_register",
    ),
    path(
        "account/security/keys/<uuid:key_id>/remove/",
        views_account.account_webauthn_remove,
        name="account_webauthn_remove",
    ),
]
