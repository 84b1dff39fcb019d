"""Forms that draw the filter controls and the version picker.

The filter forms only render: values are validated by `filters.DealFilter`, the vocabulary the
API shares, and its errors are what the page shows.
"""

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerships.filters import STATUS_GROUP_CHOICES
from partnerships.models import Deal, PartyRole

ORDERING_CHOICES = [
    ("-announced_on", _("Newest announced first")),
    ("announced_on", _("Oldest announced first")),
    ("-volume_gwh", _("Largest volume first")),
    ("volume_gwh", _("Smallest volume first")),
    ("title", _("Title A–Z")),
    ("status", _("Status")),
]


ANY = _("Any")


def _blank(choices):
    return [("", ANY), *choices]


CONFIRMED_CHOICES = [
    ("", _("All deals, unconfirmed ones drawn apart")),
    ("agreed", _("Confirmed only (signed, active, completed)")),
]


class OverviewFilterForm(forms.Form):
    # Default: every deal, so nothing is hidden from a first look; the charts draw unconfirmed
    # deals hollow or hatched, and this narrows them to the confirmed ones.
    status_group = forms.ChoiceField(
        label=_("Show"),
        choices=CONFIRMED_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=Deal.Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=_blank(Deal.Kind.choices), required=False)
    year = forms.IntegerField(
        label=_("Year (announced, else started)"),
        required=False,
        widget=forms.NumberInput(attrs={"size": 6}),
    )


class DealFilterForm(OverviewFilterForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Company or deal")}),
    )
    status_group = forms.ChoiceField(
        label=_("Status group"), choices=_blank(STATUS_GROUP_CHOICES), required=False
    )
    product = forms.ChoiceField(
        label=_("Product"), choices=_blank(Deal.Product.choices), required=False
    )
    company = forms.CharField(
        label=_("Company"),
        required=False,
        help_text=_("Any of its names, in English, Korean or Chinese, or an alias."),
        widget=forms.TextInput(
            attrs={
                "list": "company-suggestions",
                "autocomplete": "off",
                "data-suggest": reverse_lazy("api:company-list"),
            }
        ),
    )
    role = forms.ChoiceField(label=_("Its role"), choices=_blank(PartyRole.choices), required=False)
    country = forms.CharField(
        label=_("Country of a party"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "KR, Korea, 중국", "size": 10}),
    )
    country_pair = forms.CharField(
        label=_("Country pair"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "KR-CN", "size": 7}),
    )
    min_volume_gwh = forms.DecimalField(label=_("At least (GWh)"), required=False, min_value=0)
    max_volume_gwh = forms.DecimalField(label=_("At most (GWh)"), required=False, min_value=0)
    announced_after = forms.DateField(
        label=_("Announced from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    announced_before = forms.DateField(
        label=_("Announced until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ordering = forms.ChoiceField(label=_("Sort by"), choices=ORDERING_CHOICES, required=False)

    field_order = [
        "q",
        "status",
        "status_group",
        "kind",
        "product",
        "company",
        "role",
        "country",
        "country_pair",
        "year",
        "announced_after",
        "announced_before",
        "min_volume_gwh",
        "max_volume_gwh",
        "ordering",
    ]


class CompareForm(forms.Form):
    """Two versions of one deal's record, picked from its history."""

    a = forms.TypedChoiceField(label=_("Older version"), coerce=int)
    b = forms.TypedChoiceField(label=_("Newer version"), coerce=int)

    def __init__(self, *args, deal, **kwargs):
        super().__init__(*args, **kwargs)
        self.records = {
            record.history_id: record
            for record in deal.history.select_related("history_user").order_by("-history_date")
        }
        choices = [
            (history_id, _version_label(record)) for history_id, record in self.records.items()
        ]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices
        if len(choices) >= 2 and not self.is_bound:
            self.initial = {"a": choices[1][0], "b": choices[0][0]}

    def clean(self):
        data = super().clean()
        if "a" in data and "b" in data:
            if data["a"] == data["b"]:
                raise forms.ValidationError(_("Pick two different versions."))
            data["a"], data["b"] = self.records[data["a"]], self.records[data["b"]]
            if data["a"].history_date > data["b"].history_date:
                data["a"], data["b"] = data["b"], data["a"]
        return data


def _version_label(record):
    who = record.history_user.get_username() if record.history_user else _("fixtures or system")
    when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")
    return f"v{record.version} · {when} · {who}"
