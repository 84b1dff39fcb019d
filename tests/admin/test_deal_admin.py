"""Analysts add and fix deals in the admin: inlines, search, filters, validation, history."""

import pytest
from django.urls import reverse

from partnerships.models import Deal
from tests.factories import CompanyFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:partnerships_deal_changelist")
ADD = reverse("admin:partnerships_deal_add")


def form_data(response, **fields):
    """The POST body the admin page would send: its main form and every inline's management
    form, with `fields` and inline rows (given as prefix -> list of dicts) filled in."""
    data = {}
    inlines = fields.pop("inlines", {})
    for name, field in response.context["adminform"].form.fields.items():
        initial = response.context["adminform"].form.initial.get(name, field.initial)
        if initial is not None and not isinstance(initial, (list, tuple)):
            data[name] = initial
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        rows = inlines.get(formset.prefix, None)
        existing = [
            {
                k: v
                for k, v in form.initial.items()
                if v is not None and not isinstance(v, (list, tuple))
            }
            | {"id": form.instance.pk}
            for form in formset.initial_forms
        ]
        rows = existing if rows is None else rows
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{formset.prefix}-INITIAL_FORMS"] = len(formset.initial_forms)
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{formset.prefix}-{i}-{key}"] = value
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_anonymous_users_are_sent_to_the_login_page(client):
    """The admin is not for the public: anonymous visitors get the login form."""
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_signed_in_users_without_staff_status_are_kept_out(client):
    """Being signed in is not enough; only staff reach the admin."""
    client.force_login(UserFactory(is_staff=False))
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_changelist_shows_the_articles_deals_with_gwh_and_status(staff_client, article):
    """The deal list shows every deal of the article, its GWh and its status."""
    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    content = response.content.decode()
    assert "LG Energy Solution to supply 46-series cylindrical cells to Chery Automobile" in content
    assert "8.000" in content and "30.000" in content
    assert "not finalized / denied" in content
    assert response.context["cl"].result_count == 13


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("LG에너지솔루션", "lges-chery-46-series-cells"),
        ("宁德时代", "solus-catl-copper-foil"),
        ("LGES", "lges-chery-46-series-cells"),
        ("CALB", "calb-hyundai-motor-30gwh"),
    ],
)
def test_search_finds_deals_by_names_in_every_script_and_aliases(
    staff_client, article, query, expected
):
    """Searching by a Korean, Chinese or alias name finds the company's deals."""
    response = staff_client.get(CHANGELIST, {"q": query})
    slugs = {deal.slug for deal in response.context["cl"].result_list}
    assert expected in slugs


def test_filters_by_status_country_and_year(staff_client, article):
    """Status, party country and announcement year filters narrow the list."""
    in_talks = staff_client.get(CHANGELIST, {"status__exact": "in_talks"}).context["cl"]
    assert in_talks.result_count == 3
    swedish = staff_client.get(CHANGELIST, {"country": "SE"}).context["cl"]
    assert [d.slug for d in swedish.result_list] == ["polestar-renault-korea-busan"]
    june = staff_client.get(CHANGELIST, {"year": "2025"}).context["cl"]
    assert june.result_count == 7


def test_change_form_shows_parties_status_history_and_citations(staff_client, article):
    """A deal's page in the admin carries its parties, status history and quoted sentences."""
    deal = Deal.objects.get(slug="calb-hyundai-motor-30gwh")
    response = staff_client.get(reverse("admin:partnerships_deal_change", args=[deal.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Reports suggest that the two companies reached a 30 GWh contract last month" in content
    prefixes = {inline.formset.prefix for inline in response.context["inline_admin_formsets"]}
    assert {"parties", "status_history", "citations"} <= prefixes


def test_adding_a_deal_with_inline_parties(staff_client):
    """An analyst adds a deal with its supplier and customer in one form."""
    supplier = CompanyFactory(name="Alpha Cells")
    customer = CompanyFactory(name="Beta Motors", country="CN", chain_role="automaker")
    page = staff_client.get(ADD)
    data = form_data(
        page,
        title="Alpha Cells to supply Beta Motors",
        slug="alpha-beta",
        kind="supply",
        product="battery_cells",
        volume_gwh="5",
        announced_on="2025-07-19",
        announced_precision="month",
        inlines={
            "parties": [
                {"company": supplier.pk, "role": "supplier"},
                {"company": customer.pk, "role": "customer"},
            ]
        },
    )
    response = staff_client.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    deal = Deal.objects.get(slug="alpha-beta")
    assert {(p.company.name, p.role) for p in deal.parties.all()} == {
        ("Alpha Cells", "supplier"),
        ("Beta Motors", "customer"),
    }
    assert deal.announced_display == "Jul 2025"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("volume_gwh", "-3", "Ensure this value is greater than or equal to 0.001."),
        ("end_on", "2020-01-01", "The end cannot come before the start."),
    ],
)
def test_invalid_deal_shows_a_message_on_the_form(staff_client, article, field, value, message):
    """Bad values come back as messages on the form, never a server error, and nothing changes."""
    deal = Deal.objects.get(slug="lges-chery-46-series-cells")
    url = reverse("admin:partnerships_deal_change", args=[deal.pk])
    data = form_data(
        staff_client.get(url), start_on="2025-07-01", start_precision="month", **{field: value}
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    deal.refresh_from_db()
    assert deal.volume_gwh == 8 and deal.end_on is None


def test_status_history_entry_changes_the_deal_status(staff_client, article):
    """Adding a 'signed' step with its source in the status history makes the deal signed."""
    deal = Deal.objects.get(slug="calb-hyundai-motor-30gwh")
    url = reverse("admin:partnerships_deal_change", args=[deal.pk])
    page = staff_client.get(url)
    source = SourceFactory(text="Hyundai Motor and CALB signed a 30 GWh contract.")
    rows = [
        {k: v for k, v in form.initial.items() if v is not None} | {"id": form.instance.pk}
        for form in next(
            i.formset
            for i in page.context["inline_admin_formsets"]
            if i.formset.prefix == "status_history"
        ).initial_forms
    ]
    rows.append(
        {
            "status": "signed",
            "effective_on": "2025-09-03",
            "effective_precision": "day",
            "source": source.pk,
            "quote": "Hyundai Motor and CALB signed a 30 GWh contract.",
        }
    )
    response = staff_client.post(url, form_data(page, inlines={"status_history": rows}))
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.status == "signed"


def test_every_change_is_recorded_with_who_and_the_old_value(staff_client, article):
    """The history keeps who changed a deal, when, and what the value was before."""
    deal = Deal.objects.get(slug="lges-chery-46-series-cells")
    url = reverse("admin:partnerships_deal_change", args=[deal.pk])
    response = staff_client.post(url, form_data(staff_client.get(url), volume_gwh="9.5"))
    assert response.status_code == 302
    newest, previous = deal.history.all()[:2]
    assert newest.history_user == staff_client.user
    changes = {c.field: (c.old, c.new) for c in newest.diff_against(previous).changes}
    assert str(changes["volume_gwh"][0]) == "8.000"
    assert str(changes["volume_gwh"][1]) == "9.500"
    history_page = staff_client.get(reverse("admin:partnerships_deal_history", args=[deal.pk]))
    assert history_page.status_code == 200
    assert "editor" in history_page.content.decode()


def test_second_editor_cannot_silently_overwrite_the_first(staff_client, article, client):
    """Two editors open a deal; the one who saves second gets a message, and nothing is lost."""
    deal = Deal.objects.get(slug="lges-chery-46-series-cells")
    url = reverse("admin:partnerships_deal_change", args=[deal.pk])
    client.force_login(UserFactory(username="second", is_staff=True, is_superuser=True))
    first_page, second_page = staff_client.get(url), client.get(url)

    assert staff_client.post(url, form_data(first_page, volume_gwh="9")).status_code == 302
    response = client.post(url, form_data(second_page, volume_gwh="12"))

    assert response.status_code == 200
    assert "Someone else saved this deal while you were editing it" in response.content.decode()
    deal.refresh_from_db()
    assert deal.volume_gwh == 9
