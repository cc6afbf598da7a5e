import factory

from steward.contacts.models import Contact, Organisation


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Example Trading {n} Ltd")
    domain = factory.Sequence(lambda n: f"trading{n}.example.org")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
