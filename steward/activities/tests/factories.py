import factory
from django.utils import timezone

from steward.activities.choices import ActivityKind
from steward.activities.models import Activity


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    kind = ActivityKind.NOTE
    subject = "Call back about the renewal"
    body = "Asked for the updated price list."
    occurred_at = factory.LazyFunction(timezone.now)
