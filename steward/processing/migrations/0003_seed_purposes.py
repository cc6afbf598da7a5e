"""Seeds the register with the processing a typical small business running Steward does: the
customer relationship, direct marketing, reporting on the CRM, invoices, and the company
website's cookies. The keys are fixed (the gate, the consent ledger and the cookie endpoint
name them); the texts are a starting point for the DPO to adapt, not legal advice. An
existing purpose with the same key is left as it is."""

import datetime

from django.db import migrations
from django.db.models import ProtectedError

_CRM_SECURITY = (
    "Access by role and team (record scope); sign-in with Argon2id password hashes and "
    "throttling; TLS for every connection; an audit trail of every change; daily encrypted "
    "backups kept 30 days; hosting in the EEA."
)

PURPOSES = [
    {
        "key": "customer-management",
        "name": "Customer management",
        "description": (
            "Keeping in touch with customers and prospects who asked us for an offer: their "
            "contact details, the people we deal with at their organisation, the history of "
            "calls, meetings and emails, offers, orders and support requests."
        ),
        "lawful_basis": "contract",
        "data_categories": [
            "identity.name",
            "contact",
            "demographic",
            "professional",
            "commercial",
            "free_text",
        ],
        "subject_categories": [
            "Customers",
            "Prospects who asked for an offer",
            "Contact persons at customer organisations",
        ],
        "retention_months": 36,
        "retention_trigger": "contract_end",
        "retention_note": (
            "Three years from the end of the contract, the usual limitation period for "
            "contractual claims (e.g. BGB § 195); prospects without a contract are deleted "
            "three years after the last activity."
        ),
        "security_measures": _CRM_SECURITY,
    },
    {
        "key": "direct-marketing",
        "name": "Direct marketing",
        "description": (
            "Sending newsletters, product news and invitations to events by email to people "
            "who opted in, and recording their consent and its withdrawal."
        ),
        "lawful_basis": "consent",
        "is_direct_marketing": True,
        "consent_valid_months": 24,
        "data_categories": [
            "identity.name",
            "contact.email",
            "demographic.language",
            "commercial.profile",
            "consent",
        ],
        "subject_categories": ["Newsletter subscribers", "Customers who opted in"],
        "retention_months": 1,
        "retention_trigger": "consent_withdrawn",
        "retention_note": (
            "Removed from mailing lists at once on withdrawal and deleted within a month; the "
            "consent record itself is kept as proof (Art. 7(1)) for three years."
        ),
        "security_measures": _CRM_SECURITY
        + " Mailing through a processor under an Art. 28 agreement; double opt-in.",
    },
    {
        "key": "analytics",
        "name": "Sales and service reporting",
        "description": (
            "Aggregated reports on the CRM (deals won per quarter, pipeline by stage, "
            "customers by country and industry) so that the business can plan; the reports "
            "show counts and sums, never individual people."
        ),
        "lawful_basis": "legitimate_interests",
        "legitimate_interest_assessment": (
            "Interest: knowing how sales and service perform in order to plan staff, stock "
            "and budgets, a legitimate business interest (Recital 47). Necessity: the figures "
            "cannot be obtained without counting the CRM's records; only the fields needed "
            "for each figure are read, and the output is aggregated. Balancing: people expect "
            "a business to count its own customers and deals; nothing is decided about any "
            "one person, nothing leaves the company, and no profile is built. The impact on "
            "them is minimal, and they can object (Art. 21(1)), which removes them from the "
            "reports. Conclusion: the interest is not overridden."
        ),
        "lia_assessed_on": datetime.date(2026, 11, 1),
        "data_categories": [
            "commercial.deals",
            "commercial.profile",
            "demographic.country",
            "professional.employer",
        ],
        "subject_categories": ["Customers", "Prospects"],
        "retention_months": 36,
        "retention_trigger": "contract_end",
        "retention_note": (
            "No data of its own: reports read the CRM's records, which are kept as customer "
            "management keeps them; the aggregated figures are not personal data."
        ),
        "security_measures": _CRM_SECURITY + " Reports show aggregates only.",
    },
    {
        "key": "invoicing",
        "name": "Invoicing and bookkeeping",
        "description": (
            "Issuing invoices and credit notes, recording payments and keeping the accounting "
            "records commercial and tax law require."
        ),
        "lawful_basis": "legal_obligation",
        "data_categories": [
            "identity.name",
            "contact.address",
            "contact.email",
            "professional.employer",
            "commercial.deals",
            "financial.iban",
        ],
        "subject_categories": ["Customers", "Contact persons at customer organisations"],
        "retention_months": 120,
        "retention_trigger": "fiscal_year_end",
        "retention_note": (
            "Ten years from the end of the fiscal year of the invoice (e.g. HGB § 257, "
            "AO § 147; check the period of your country)."
        ),
        "security_measures": _CRM_SECURITY
        + " Bank details visible to the administrator and finance only.",
    },
    {
        "key": "website-analytics",
        "name": "Website analytics (cookies)",
        "description": (
            "Counting visits and the pages visitors use on the company website with analytics "
            "cookies, to improve the site; set only after the visitor accepts analytics "
            "cookies."
        ),
        "lawful_basis": "consent",
        "consent_valid_months": 12,
        "data_categories": ["online.ip_address", "online.device_id"],
        "subject_categories": ["Website visitors"],
        "retention_months": 13,
        "retention_trigger": "collection",
        "retention_note": "Cookies expire after 13 months; IP addresses are shortened at once.",
        "security_measures": "IP addresses truncated before storage; TLS; EEA hosting.",
    },
    {
        "key": "website-advertising",
        "name": "Website advertising (cookies)",
        "description": (
            "Marketing cookies that measure advertising campaigns and show the company's ads "
            "to visitors of the website on other sites; set only after the visitor accepts "
            "marketing cookies."
        ),
        "lawful_basis": "consent",
        "is_direct_marketing": True,
        "consent_valid_months": 12,
        "data_categories": ["online.ip_address", "online.device_id"],
        "subject_categories": ["Website visitors"],
        "retention_months": 13,
        "retention_trigger": "collection",
        "retention_note": "Cookies expire after 13 months at most.",
        "security_measures": "Set only after consent; TLS; vendors bound by Art. 28 agreements.",
    },
    {
        "key": "website-operation",
        "name": "Website operation (strictly necessary cookies)",
        "description": (
            "Running the company website securely: session and security cookies, load "
            "balancing, remembering the visitor's cookie choice, and server logs to defend "
            "against attacks."
        ),
        "lawful_basis": "legitimate_interests",
        "legitimate_interest_assessment": (
            "Interest: a website that works and is secure, and remembering a visitor's own "
            "cookie choice so they are not asked on every page. Necessity: these cookies and "
            "logs are strictly necessary for the service the visitor asks for (ePrivacy "
            "Directive Art. 5(3)); nothing is used for profiling or advertising. Balancing: "
            "visitors expect a site to keep its session and protect itself; logs are kept "
            "briefly and read only to investigate an attack. Conclusion: the interest is not "
            "overridden."
        ),
        "lia_assessed_on": datetime.date(2026, 11, 1),
        "data_categories": ["online.ip_address", "online.device_id"],
        "subject_categories": ["Website visitors"],
        "retention_months": 1,
        "retention_trigger": "collection",
        "retention_note": (
            "Session cookies end with the session; the cookie-choice cookie lasts 12 months; "
            "server logs are deleted after 30 days."
        ),
        "security_measures": "TLS; logs readable by the administrator only; EEA hosting.",
    },
]


def seed(apps, schema_editor):
    Purpose = apps.get_model("processing", "Purpose")
    for purpose in PURPOSES:
        Purpose.objects.get_or_create(key=purpose["key"], defaults=purpose)


def unseed(apps, schema_editor):
    Purpose = apps.get_model("processing", "Purpose")
    # Only rows nothing refers to yet: a purpose with consents or objections stays.
    for purpose in PURPOSES:
        row = Purpose.objects.filter(key=purpose["key"]).first()
        if row is not None and not row.recipients.exists():
            try:
                row.delete()
            except ProtectedError:  # a consent or an objection refers to it
                pass


class Migration(migrations.Migration):
    dependencies = [("processing", "0002_recipient_contact_and_transfer_documentation")]

    operations = [migrations.RunPython(seed, unseed)]
