"""Staff pages of steward.email: campaigns (list, compose, the audience before sending,
send) for roles holding campaigns.manage."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from steward.core.errors import DomainError
from steward.core.web import permission_required, put_errors_on_form
from steward.email import merge, services
from steward.email.forms import CampaignForm
from steward.email.models import CampaignStatus
from steward.email.selectors import (
    EMAIL_EXCLUSION_LABELS,
    campaign_audience,
    campaign_get,
    campaign_list,
    delivery_counts,
)
from steward.processing.gate import EXCLUSION_LABELS

MANAGE = services.MANAGE
LABELS = {**EXCLUSION_LABELS, **EMAIL_EXCLUSION_LABELS}


@permission_required(MANAGE)
def campaigns(request):
    # The newest hundred: a business sends a few campaigns a month.
    return render(request, "email/campaigns.html", {"campaigns": campaign_list()[:100]})


def _form_data(form: CampaignForm) -> dict:
    data = dict(form.cleaned_data)
    data["segment_country"] = data.get("segment_country") or ""
    return data


@permission_required(MANAGE)
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, data=_form_data(form))
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            return redirect("campaigns:detail", campaign.pk)
    return render(request, "email/campaign_form.html", {"form": form, "campaign": None})


@permission_required(MANAGE)
def campaign_edit(request, pk):
    campaign = campaign_get(pk)
    initial = {
        "name": campaign.name,
        "topic": campaign.topic_id,
        "subject": campaign.subject,
        "body_text": campaign.body_text,
        "body_html": campaign.body_html,
        "segment_tag": campaign.segment_tag_id,
        "segment_lifecycle_stage": campaign.segment_lifecycle_stage,
        "segment_country": campaign.segment_country.code if campaign.segment_country else "",
    }
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(actor=request.user, campaign=campaign, data=_form_data(form))
        except DomainError as error:
            put_errors_on_form(form, error)
        else:
            return redirect("campaigns:detail", campaign.pk)
    return render(request, "email/campaign_form.html", {"form": form, "campaign": campaign})


@permission_required(MANAGE)
def campaign_detail(request, pk):
    """The campaign, and before it is sent its audience as the gate decides it now: how
    many people receive it and how many are left out for which reason."""
    campaign = campaign_get(pk)
    audience = None
    if campaign.status == CampaignStatus.DRAFT:
        audience = campaign_audience(campaign, actor=request.user)
    excluded = audience.excluded if audience else campaign.excluded
    reasons = sorted(
        ((LABELS.get(code, code), count) for code, count in excluded.items()),
        key=lambda pair: -pair[1],
    )
    sample = {
        "given_name": "Ada",
        "family_name": "Example",
        "full_name": "Ada Example",
        "email": "ada@example.com",
        "topic": campaign.topic.name,
        "preferences_url": "https://…/email/preferences/…",
        "unsubscribe_url": "https://…/email/unsubscribe/…",
    }
    preview = merge.render_text(campaign.body_text, sample)
    preview_subject = merge.render_text(campaign.subject, sample)
    return render(
        request,
        "email/campaign_detail.html",
        {
            "campaign": campaign,
            "audience": audience,
            "reasons": reasons,
            "excluded_total": sum(excluded.values()),
            "deliveries": delivery_counts(campaign),
            "preview": preview,
            "preview_subject": preview_subject,
        },
    )


@permission_required(MANAGE)
def campaign_send(request, pk):
    campaign = campaign_get(pk)
    if request.method != "POST":
        return redirect("campaigns:detail", campaign.pk)
    try:
        campaign = services.campaign_send(actor=request.user, campaign=campaign)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The campaign is being sent in the background.")
    return redirect("campaigns:detail", campaign.pk)
