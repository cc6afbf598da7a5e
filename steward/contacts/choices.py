from django.db import models


class LifecycleStage(models.TextChoices):
    LEAD = "lead", "Lead"
    PROSPECT = "prospect", "Prospect"
    CUSTOMER = "customer", "Customer"
    FORMER = "former", "Former customer"


class Source(models.TextChoices):
    MANUAL = "manual", "Entered by staff"
    IMPORT = "import", "Import"
    WEB_FORM = "web_form", "Web form"
    API = "api", "API"
    REFERRAL = "referral", "Referral"
    EVENT = "event", "Event"
    OTHER = "other", "Other"


class ContactMethodKind(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"


class CustomFieldType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    BOOLEAN = "boolean", "Yes/no"
    CHOICE = "choice", "Choice"
