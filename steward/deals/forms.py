"""The deal form. It parses what a person typed into the values steward.deals.services
expects; the rules about deals (a non-negative amount, a stage of the right pipeline, a
contact the user may see) are the services' to enforce, and their errors are put back onto
the fields they name (see steward.deals.views)."""

from django import forms

from steward.core.actor import Actor
from steward.core.errors import NotFound
from steward.deals.models import Deal
from steward.deals.selectors import party_get, party_search, stage_choices

PICKERS = ("contact", "organisation")


class DealForm(forms.Form):
    """A deal's editable fields. Contact and organisation are each a search box plus the id
    of the record picked from its results: with 100,000 contacts a select list is useless."""

    title = forms.CharField(max_length=200)
    stage = forms.ChoiceField(
        required=False,
        help_text="Without a stage, the deal starts in the first stage of the default pipeline.",
    )
    amount = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        initial=0,
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.01", "inputmode": "decimal"}),
    )
    currency = forms.CharField(
        max_length=3,
        initial="EUR",
        help_text="Three-letter code, e.g. EUR, GBP, USD.",
        widget=forms.TextInput(attrs={"size": 3, "autocapitalize": "characters"}),
    )
    expected_close_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    contact = forms.CharField(required=False, widget=forms.HiddenInput)
    contact_q = forms.CharField(required=False, max_length=200, label="Contact")
    organisation = forms.CharField(required=False, widget=forms.HiddenInput)
    organisation_q = forms.CharField(required=False, max_length=200, label="Organisation")

    def __init__(self, *args, actor: Actor, deal: Deal | None = None, initial=None, **kwargs):
        initial = dict(initial or {})
        self.actor = actor
        self.deal = deal
        # What each picker shows as chosen: the deal's record, then whatever the submitted
        # id or search text resolves to.
        self.picked = {kind: initial.get(kind) for kind in PICKERS}
        if deal is not None:
            self.picked = {"contact": deal.contact, "organisation": deal.organisation}
            initial.update(
                title=deal.title,
                stage=str(deal.stage_id),
                amount=deal.amount,
                currency=deal.currency,
                expected_close_date=deal.expected_close_date,
            )
        for kind in PICKERS:
            if self.picked[kind] is not None:
                initial[kind] = str(self.picked[kind].pk)
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, initial=initial, **kwargs)
        self._stages = {str(stage.pk): stage for stage in stage_choices()}
        self.fields["stage"].choices = self._grouped_stages()
        if self._stages:
            self.fields["stage"].help_text = ""
            self.initial.setdefault("stage", next(iter(self._stages)))
        self.fields["stage"].required = deal is not None

    def _grouped_stages(self) -> list:
        groups: dict[str, list] = {}
        for pk, stage in self._stages.items():
            label = f"{stage.name} ({stage.probability}%)"
            groups.setdefault(stage.pipeline.name, []).append((pk, label))
        if len(groups) == 1:
            return [("", "---------"), *next(iter(groups.values()))]
        return [("", "---------"), *groups.items()]

    def clean_stage(self):
        value = self.cleaned_data["stage"]
        return self._stages.get(value) if value else None

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        for kind in PICKERS:
            cleaned[kind] = self._resolve(kind, cleaned.get(kind, ""), cleaned.get(f"{kind}_q", ""))
        return cleaned

    def _resolve(self, kind: str, pk: str, query: str):
        """The picked record: by id when one was chosen from the search results; else, when
        the search text names exactly one record, that one (so typing a full email address
        works without waiting for the results)."""
        noun = "contact" if kind == "contact" else "organisation"
        if pk and self.deal is not None and pk == str(getattr(self.deal, f"{kind}_id")):
            # Unchanged: keep it even if it has since moved out of the editor's sight.
            self.picked[kind] = getattr(self.deal, kind)
            return self.picked[kind]
        if pk:
            try:
                self.picked[kind] = party_get(actor=self.actor, kind=kind, pk=pk)
            except NotFound:
                self.picked[kind] = None
                self.add_error(kind, f"That {noun} does not exist or is not yours to see.")
            return self.picked[kind]
        self.picked[kind] = None
        query = query.strip()
        if not query:
            return None
        matches = party_search(actor=self.actor, kind=kind, query=query, limit=2)
        if len(matches) == 1:
            self.picked[kind] = matches[0]
            return matches[0]
        if matches:
            self.add_error(kind, f"Several {noun}s match “{query}”: pick one from the list.")
        else:
            self.add_error(kind, f"No {noun} you may see matches “{query}”.")
        return None

    def deal_data(self) -> dict:
        """The cleaned values as the services' `data` (no stage: the service's default)."""
        data = {
            name: self.cleaned_data[name]
            for name in ("title", "amount", "currency", "expected_close_date", *PICKERS)
        }
        if self.cleaned_data.get("stage") is not None:
            data["stage"] = self.cleaned_data["stage"]
        return data
