"""Security headers, the content security policy, and `steward check --deploy` with the
production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[3]


def test_pages_carry_a_content_security_policy_without_inline_scripts(client, admin):
    client.force_login(admin)

    for name in ("login", "dashboard", "contacts:list", "account_security"):
        response = client.get(reverse(name), follow=name == "login")
        policy = response["Content-Security-Policy"]
        directives = dict((part.split(" ", 1) + [""])[:2] for part in policy.split("; ") if part)
        assert directives["default-src"] == "'self'"
        assert "'unsafe-inline'" not in directives["script-src"]
        assert "'unsafe-eval'" not in directives["script-src"]
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"


def test_pages_carry_the_other_security_headers(client):
    response = client.get(reverse("login"))

    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "publickey-credentials-get=(self)" in response["Permissions-Policy"]


def test_no_page_template_has_an_inline_script():
    # The policy refuses inline scripts; a template that adds one breaks in the browser.
    offenders = []
    for template in (REPO / "steward").rglob("templates/**/*.html"):
        text = template.read_text()
        for chunk in text.split("<script")[1:]:
            tag = chunk.split(">", 1)[0]
            if "src=" not in tag and "application/json" not in tag and "nonce" not in tag:
                offenders.append(str(template.relative_to(REPO)))
        if " on" in text and any(f" on{e}=" in text for e in ("click", "change", "submit", "load")):
            offenders.append(str(template.relative_to(REPO)))
    assert offenders == []


def _check_deploy(tmp_path, **extra) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("STEWARD_") and key not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "STEWARD_DATA_DIR": str(tmp_path),
            "STEWARD_ALLOWED_HOSTS": "crm.example.com",
            "STEWARD_SITE_URL": "https://crm.example.com",
            "STEWARD_HTTPS": "true",
            "STEWARD_EMAIL_HOST": "smtp.example.com",
            **extra,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "steward.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    result = _check_deploy(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_complains_when_https_is_off(tmp_path):
    result = _check_deploy(
        tmp_path, STEWARD_HTTPS="false", STEWARD_SITE_URL="http://crm.example.com"
    )

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_an_unknown_role_in_the_mfa_setting_is_a_configuration_error(settings):
    from steward.staff.checks import sign_in_settings

    settings.STEWARD_MFA_REQUIRED_ROLES = frozenset({"administrator", "adminstrator"})

    assert [problem.id for problem in sign_in_settings()] == ["steward.E401"]


def test_the_default_sign_in_settings_pass_their_checks():
    from steward.staff.checks import sign_in_settings

    assert sign_in_settings() == []
