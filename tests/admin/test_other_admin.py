"""The other admin pages open, search and autocomplete across scripts."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["company", "vehiclemodel", "source", "contextevent", "citation", "deal"]
)
def test_every_changelist_and_change_form_opens(staff_client, article, model):
    """Each admin list and the first row's change form render for staff."""
    changelist = staff_client.get(reverse(f"admin:partnerships_{model}_changelist"))
    assert changelist.status_code == 200
    first = changelist.context["cl"].result_list[0]
    change = staff_client.get(reverse(f"admin:partnerships_{model}_change", args=[first.pk]))
    assert change.status_code == 200


def test_company_autocomplete_matches_korean_names_and_aliases(staff_client, article):
    """Typing a Korean name or an alias in a party's company box finds the company."""
    url = reverse("admin:autocomplete")
    params = {"app_label": "partnerships", "model_name": "dealparty", "field_name": "company"}
    for term, expected in [("기아", "Kia"), ("KGM", "KG Mobility"), ("奇瑞", "Chery Automobile")]:
        response = staff_client.get(url, params | {"term": term})
        assert response.status_code == 200
        names = [row["text"] for row in response.json()["results"]]
        assert any(name.startswith(expected) for name in names), (term, names)


def test_company_list_shows_deal_counts_and_parent(staff_client, article):
    """The company list shows each company's parent and number of deals."""
    response = staff_client.get(reverse("admin:partnerships_company_changelist"), {"q": "CATL"})
    catl = next(c for c in response.context["cl"].result_list if c.slug == "catl")
    assert catl.deal_count == 5
