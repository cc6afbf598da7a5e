"""Staff roles and what each may do. One table, read by `can()`; the protection work makes
it adjustable by an administrator and adds field-level grants on top."""

from django.db import models


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    DPO = "dpo", "Data protection officer"
    MANAGER = "manager", "Manager"
    SALES = "sales", "Sales"
    MARKETING = "marketing", "Marketing"
    SUPPORT = "support", "Support"
    READ_ONLY = "read_only", "Read-only"


_CRM_WRITE = {
    "contacts.add", "contacts.change", "organisations.add", "organisations.change",
    "activities.add", "activities.change", "deals.add", "deals.change",
}  # fmt: skip
_CRM_DELETE = {"contacts.delete", "organisations.delete", "activities.delete", "deals.delete"}
# The data map and the taxonomy: read by those accountable for the data, extended by the
# administrator and the DPO.
_INVENTORY_READ = {"inventory.view"}
_INVENTORY_MANAGE = {"inventory.view", "inventory.manage"}
# Art. 9: who sees the evidence of special-category findings (and reviews them). Everyone
# else sees nothing of it; the protection work makes this configurable.
_SPECIAL_CATEGORY = {"special_category.view"}
# Field-level grants (steward.inventory.field_access): without them, criminal-offence data
# (Art. 10), children's data (Art. 8) and national identifiers are masked on every page,
# API response and export, like special-category data without the grant above.
_GUARDED_DATA = _SPECIAL_CATEGORY | {"criminal.view", "children.view", "national_id.view"}
_CHILDREN_AND_IDS = {"children.view", "national_id.view"}
# The consent ledger: whoever deals with people records the consent they give or withdraw
# by phone, in person or in writing; notices (what people consent to) are kept by the
# administrator and the DPO.
_CONSENT_RECORD = {"consent.record"}
_CONSENT_MANAGE = {"consent.manage"}
# The register of processing and its recipients (Art. 30): read by those accountable for the
# data, kept by the administrator and the DPO.
_PROCESSING_READ = {"processing.view"}
_PROCESSING_MANAGE = {"processing.view", "processing.manage"}
# Art. 21: anyone who deals with people records their objection (one to direct marketing
# takes effect at once); the DPO and the administrator decide the others and start and lift
# restrictions (Art. 18).
_RIGHTS_RECORD = {"objections.record"}
_RIGHTS_DECIDE = {"objections.record", "objections.decide", "restrictions.manage"}
# People's rights requests (steward.rights): handled by the DPO and the administrator, who
# carry them out (the DPO corrects the person's record for a rectification, Art. 16);
# managers follow the queue.
_REQUESTS_VIEW = {"rights.view"}
_REQUESTS_MANAGE = {"rights.view", "rights.manage", "contacts.change"}
# Security events (unusual access to personal data, steward.audit.security): the
# administrator and the DPO.
_SECURITY = {"security.view"}
# A record's history from the audit trail (who changed what, old and new values, masked
# like the record itself): the administrator, the DPO and managers.
_HISTORY = {"audit.view"}
# Marketing campaigns (steward.email): composed and sent by marketing and up.
_CAMPAIGNS = {"campaigns.manage"}

PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(
        _CRM_WRITE
        | _CRM_DELETE
        | _INVENTORY_MANAGE
        | _GUARDED_DATA
        | _PROCESSING_MANAGE
        | _RIGHTS_DECIDE
        | _REQUESTS_MANAGE
        | {"contacts.import", "contacts.export", "staff.manage"}
        | _SECURITY
        | _HISTORY
        | _CONSENT_RECORD
        | _CONSENT_MANAGE
        | _CAMPAIGNS
    ),
    Role.DPO: frozenset(
        _INVENTORY_MANAGE
        | _GUARDED_DATA
        | _PROCESSING_MANAGE
        | _RIGHTS_DECIDE
        | _REQUESTS_MANAGE
        | {"contacts.export"}
        | _CONSENT_MANAGE
        | _SECURITY
        | _HISTORY
    ),
    Role.MANAGER: frozenset(
        _CRM_WRITE
        | _CRM_DELETE
        | _INVENTORY_READ
        | _PROCESSING_READ
        | _CHILDREN_AND_IDS
        | _RIGHTS_RECORD
        | _REQUESTS_VIEW
        | {"contacts.import", "contacts.export"}
        | _CONSENT_RECORD
        | _CAMPAIGNS
        | _HISTORY
    ),
    Role.SALES: frozenset(_CRM_WRITE | _RIGHTS_RECORD | _CONSENT_RECORD),
    Role.MARKETING: frozenset(
        _CRM_WRITE
        | _RIGHTS_RECORD
        | {"contacts.import", "contacts.export"}
        | _CONSENT_RECORD
        | _CAMPAIGNS
    ),
    Role.SUPPORT: frozenset(
        {"activities.add", "activities.change", "contacts.change"}
        | _RIGHTS_RECORD
        | _CONSENT_RECORD
    ),
    Role.READ_ONLY: frozenset(),
}

# Roles that see every record whatever STEWARD_RECORD_SCOPE says.
SEES_ALL_RECORDS = frozenset({Role.ADMINISTRATOR, Role.DPO, Role.MANAGER})

# What the pages and the API let a role read of each model that holds personal data (a key
# "app.Model.field" overrides its model's): the permission a role needs (None: every role)
# and how far it reads. "scoped": own or team's records by STEWARD_RECORD_SCOPE, every
# record for SEES_ALL_RECORDS; "own": the rows a user created or holds, every row for
# holders of "staff.manage"; "all": every row; "none": no page or API shows it. The data
# map's "who can see it" is derived from this and PERMISSIONS; a test fails when a model
# holding personal data is missing. The protection work replaces it with field-level grants.
RECORD_READ: dict[str, tuple[str | None, str]] = {
    "contacts.Contact": (None, "scoped"),
    "contacts.ContactMethod": (None, "scoped"),
    "contacts.Organisation": (None, "scoped"),
    "activities.Activity": (None, "scoped"),
    # Findings of personal data in free text, with their evidence (steward.detection).
    "detection.PersonalDataFinding": ("special_category.view", "scoped"),
    "deals.Deal": (None, "scoped"),
    # Staff names and addresses appear to everyone as owners and authors.
    "staff.User": (None, "all"),
    "staff.User.password": (None, "none"),
    # Second factors: only their owner manages them (account pages), nobody reads them.
    "staff.TotpDevice": (None, "none"),
    "staff.WebAuthnCredential": (None, "none"),
    "staff.RecoveryCode": (None, "none"),
    "imports.ImportJob": ("contacts.import", "own"),
    "api.ApiToken": (None, "own"),
    "api.ApiToken.secret_hash": (None, "none"),
    # Consent and rights: everyone who may see the person sees whether they may be processed
    # and why (the gate's evidence); who may change them is in PERMISSIONS.
    "consent.ConsentEvent": (None, "scoped"),
    "consent.ConsentState": (None, "scoped"),
    # Cookie-banner choices, mostly of anonymous visitors: kept as evidence, read by those
    # who keep the notices.
    "consent.CookieChoice": ("consent.manage", "all"),
    "processing.Restriction": (None, "scoped"),
    # Email (steward.email): a person's subscriptions are read like their consents; pending
    # sign-ups (not yet anyone's contact) by nobody; deliveries by who runs campaigns.
    "email.Subscription": (None, "scoped"),
    "email.SignUp": (None, "none"),
    "email.CampaignDelivery": ("campaigns.manage", "scoped"),
    "processing.Objection": (None, "scoped"),
    # Privacy requests and their history: those who handle or follow them (steward.rights).
    "rights.RightsRequest": ("rights.view", "all"),
    "rights.RequestEvent": ("rights.view", "all"),
    "rights.InformationRequest": ("rights.view", "all"),
    "rights.RecipientNotification": ("rights.view", "all"),
    # The trail: a record's history on the record's page (steward.inventory.history).
    "audit.AuditEvent": ("audit.view", "scoped"),
    "audit.SecurityEvent": ("security.view", "all"),
}
