"""Forms of the data-map and taxonomy pages. They parse input; the services validate, and
their refusals are shown next to the field they name."""

from django import forms

from steward.core.web import PlainLabelsForm
from steward.inventory.data_map import DataMapFilters
from steward.inventory.models import DataCategory
from steward.inventory.selectors import category_tree
from steward.inventory.taxonomy import Sensitivity


def _tree_choices() -> list[tuple[str, str]]:
    # Indented with em spaces: a <select> cannot nest deeper than one optgroup.
    return [
        (node.category.key, f"{'\u2003' * node.depth}{node.category.label}")
        for node in category_tree()
    ]


class DataMapFilterForm(PlainLabelsForm):
    """The data map's filters: one sensitivity, one category (and what lies inside it)."""

    sensitivity = forms.ChoiceField(required=False, label="Sensitivity")
    category = forms.ChoiceField(required=False, label="Category")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sensitivity"].choices = [("", "Any sensitivity"), *Sensitivity.choices]
        self.fields["category"].choices = [("", "Any category"), *_tree_choices()]

    def filters(self) -> DataMapFilters:
        """The filters asked for; a value that is not a choice is ignored, not an error
        (the URL may be old and the category renamed)."""
        if not self.is_bound:
            return DataMapFilters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return DataMapFilters(
            sensitivity=data.get("sensitivity", ""), category=data.get("category", "")
        )


class CategoryAddForm(PlainLabelsForm):
    """A new category under an existing one."""

    parent = forms.ChoiceField(label="Inside", required=False)
    name = forms.CharField(
        max_length=40,
        label="Key word",
        help_text="One lower-case word; the key becomes <inside>.<word>, e.g. contact.fax.",
    )
    label = forms.CharField(max_length=120, label="Label")
    description = forms.CharField(
        required=False, label="Description", widget=forms.Textarea(attrs={"rows": 2})
    )
    sensitivity = forms.ChoiceField(
        required=False,
        label="Sensitivity",
        help_text="Never lower than the category it is inside.",
    )
    concerns_children = forms.BooleanField(required=False, label="Concerns children (Art. 8)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "(top level)"), *_tree_choices()]
        self.fields["sensitivity"].choices = [
            ("", "Same as the category it is inside"),
            *Sensitivity.choices,
        ]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["parent_key"] = data.pop("parent")
        return data


class CategoryEditForm(PlainLabelsForm):
    """A category's wording, sensitivity and children flag. A built-in's wording comes
    from code, so its label and description are shown but not editable."""

    label = forms.CharField(max_length=120, label="Label")
    description = forms.CharField(
        required=False, label="Description", widget=forms.Textarea(attrs={"rows": 3})
    )
    sensitivity = forms.ChoiceField(choices=Sensitivity.choices, label="Sensitivity")
    concerns_children = forms.BooleanField(required=False, label="Concerns children (Art. 8)")

    def __init__(self, *args, category: DataCategory, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "label": category.label,
                "description": category.description,
                "sensitivity": category.sensitivity,
                "concerns_children": category.concerns_children,
            },
        )
        super().__init__(*args, **kwargs)
        self.category = category
        if category.builtin:
            for name in ("label", "description"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Built in: worded by Steward's code."

    def service_data(self) -> dict:
        """Only what may change: a built-in's disabled wording is left out."""
        names = ["sensitivity", "concerns_children"]
        if not self.category.builtin:
            names += ["label", "description"]
        return {name: self.cleaned_data[name] for name in names}
