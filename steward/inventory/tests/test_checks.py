import pytest
from django.core.management import call_command
from django.db import models
from django.test.utils import isolate_apps

from steward.core.models import BaseModel
from steward.core.personal_data import PersonalDataModel, not_personal, personal
from steward.inventory.checks import check_personal_data_annotations


def test_the_project_as_shipped_has_no_unannotated_personal_data_field():
    assert check_personal_data_annotations() == []


@pytest.mark.django_db
def test_manage_py_check_passes_on_the_shipped_models():
    call_command("check", "--fail-level", "WARNING")


def test_it_catches_a_field_added_without_an_annotation():
    with isolate_apps("steward.inventory") as registry:

        class Customer(PersonalDataModel, BaseModel):
            name = personal(models.CharField(max_length=50), "identity.name")
            nickname = models.CharField(max_length=50)

            class Meta:
                app_label = "inventory"

        errors = check_personal_data_annotations(registry.get_app_configs())

        assert [e.id for e in errors] == ["steward.E001"]
        assert "inventory.Customer.nickname" in errors[0].msg


def test_it_accepts_a_field_explicitly_marked_as_not_personal():
    with isolate_apps("steward.inventory") as registry:

        class Invoice(PersonalDataModel, BaseModel):
            number = not_personal(models.CharField(max_length=20))

            class Meta:
                app_label = "inventory"

        assert check_personal_data_annotations(registry.get_app_configs()) == []


def test_it_rejects_an_unknown_data_category():
    with isolate_apps("steward.inventory") as registry:

        class Survey(PersonalDataModel, BaseModel):
            answer = personal(models.TextField(), "contact.shoe_size")

            class Meta:
                app_label = "inventory"

        errors = check_personal_data_annotations(registry.get_app_configs())

        assert [e.id for e in errors] == ["steward.E002"]


def test_a_many_to_many_field_needs_an_annotation_too():
    with isolate_apps("steward.inventory") as registry:

        class Group(BaseModel):
            class Meta:
                app_label = "inventory"

        class Member(PersonalDataModel, BaseModel):
            groups = models.ManyToManyField(Group)

            class Meta:
                app_label = "inventory"

        assert [e.id for e in check_personal_data_annotations(registry.get_app_configs())] == [
            "steward.E001"
        ]
