"""The one-deal edge rule (`edges.deal_edges`), drawn by hand for each shape of deal: the stored
table is checked against this rule elsewhere, so the rule itself is checked here, without it."""

import pytest

from partnerships.edges import deal_edges


def draw(*parties):
    """The rule's lines as (source company, target company), for parties given as (company,
    role) in the order the deal lists them."""
    rows = [{"company_id": company, "role": role} for company, role in parties]
    return [(source["company_id"], target["company_id"]) for source, target in deal_edges(rows)]


@pytest.mark.parametrize(
    ("parties", "lines"),
    [
        pytest.param([], [], id="no parties"),
        pytest.param([(1, "supplier")], [], id="one party"),
        pytest.param([(2, "customer"), (1, "supplier")], [(1, 2)], id="supplier to customer"),
        pytest.param(
            [(3, "customer"), (1, "supplier"), (2, "supplier")],
            [(1, 3), (2, 3)],
            id="each supplier to the customer",
        ),
        pytest.param(
            [(4, "customer"), (3, "customer"), (1, "manufacturer")],
            [(1, 3), (1, 4)],
            id="a manufacturer delivers like a supplier",
        ),
        pytest.param(
            [(9, "customer"), (5, "supplier"), (2, "investor")],
            [(5, 9), (5, 2)],
            id="an investor hangs from the deal's hub",
        ),
        pytest.param(
            [(7, "partner"), (3, "partner"), (5, "partner")],
            [(3, 5), (3, 7)],
            id="partners from the lowest id",
        ),
        pytest.param(
            [(8, "investor"), (6, "developer")],
            [(6, 8)],
            id="a co-developer comes before an investor",
        ),
        pytest.param(
            [(4, "customer"), (6, "partner")],
            [(6, 4)],
            id="a partner comes before a customer",
        ),
        pytest.param(
            [(2, "customer"), (9, "unknown"), (3, "customer")],
            [(2, 3), (2, 9)],
            id="an unknown role comes last",
        ),
        pytest.param(
            [(1, "supplier"), (1, "customer")],
            [],
            id="no line from a company to itself",
        ),
        pytest.param(
            [(1, "supplier"), (2, "supplier"), (1, "customer")],
            [(2, 1)],
            id="a supplier that is also the customer draws only the other supplier",
        ),
        pytest.param(
            [(1, "supplier"), (1, "investor"), (2, "partner")],
            [(1, 2)],
            id="the hub's own second role draws nothing",
        ),
    ],
)
def test_each_shape_of_deal_draws_its_lines(parties, lines):
    """Deliverers (suppliers, manufacturers) to each customer; every other party from the hub,
    the first party by role (supplier, manufacturer, co-developer, investor, partner, customer)
    then by company; never a line from a company to itself."""
    assert draw(*parties) == lines


def test_a_line_carries_each_end_s_role():
    """The roles travel with the line, so the maps can say who supplies whom."""
    rows = [{"company_id": 2, "role": "customer"}, {"company_id": 1, "role": "supplier"}]
    [(source, target)] = deal_edges(rows)
    assert (source["role"], target["role"]) == ("supplier", "customer")
