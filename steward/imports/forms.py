"""The import wizard's forms: they parse input; the services decide."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from steward.imports.choices import DateOrder, DuplicatePolicy, ImportMode
from steward.imports.column_mapping import available_targets
from steward.imports.models import ImportJob


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "A CSV export from a spreadsheet or another CRM (HubSpot, Salesforce, Pipedrive, "
            "Google Contacts, Outlook...), separated by commas, semicolons, tabs or pipes, "
            f"up to {filesizeformat(settings.STEWARD_IMPORT_MAX_BYTES)}. "
            "The first line must name the columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,text/csv"}),
    )


class MappingForm(forms.Form):
    """One choice per column of the file, pre-filled with the suggested field."""

    date_order = forms.ChoiceField(
        label="Dates like 03/04/1980 mean",
        choices=DateOrder.choices,
        help_text="Only matters for dates written with slashes; ISO and dotted dates are clear.",
    )

    def __init__(self, *args, job: ImportJob, **kwargs):
        super().__init__(*args, **kwargs)
        targets = available_targets()
        self.initial.setdefault("date_order", job.date_order)
        self.column_names: list[str] = []
        for position, header in enumerate(job.headers):
            name = f"column_{position}"
            self.fields[name] = forms.ChoiceField(
                label=header,
                choices=targets,
                required=False,
                initial=job.mapping.get(str(position), ""),
            )
            self.column_names.append(name)
        # Keep the date order last, after the columns.
        self.order_fields([*self.column_names, "date_order"])

    def mapping(self) -> dict[str, str]:
        return {name.removeprefix("column_"): self.cleaned_data[name] for name in self.column_names}


class RunForm(forms.Form):
    mode = forms.ChoiceField(
        label="Which rows to import",
        choices=ImportMode.choices,
        initial=ImportMode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )
    on_duplicate = forms.ChoiceField(
        label="When a contact with the same email address exists",
        choices=DuplicatePolicy.choices,
        initial=DuplicatePolicy.SKIP,
        widget=forms.RadioSelect,
    )
