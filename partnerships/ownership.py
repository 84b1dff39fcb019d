"""Who owns whom: the one walk up an ownership chain, used by every page, the API and the
services (issue 11: it was written four times).

The catalogue stores *stakes* (`Ownership`): several owners per company, each with its share
(unknown is null), the dates it held it, its tie and its sources. A chain needs one owner per
step, so it follows each company's **controlling** stake: the one current stake (no end date)
an editor marked as controlling, which the database keeps unique per company. The rule for
marking it: the majority owner; failing one, the owner the sources call the parent (a brand's
maker, a group member's group, the leading partner of a joint venture). A minority stake —
Geely's third of Renault Korea, Volvo Cars' 18% of Polestar — is listed with the owners and
never makes a chain.

`Company.parent` (with its tie and share) is that controlling stake's owner, written by the
services from the stakes in the transaction that changes them (`services.ownership_derive`),
never edited: lists, filters and exports read the column, the stakes stay the one truth.
"""

from collections.abc import Callable, Mapping

# Real chains are short (Polestar → Volvo Cars → Geely); a longer one is a data error, and the
# walk stops there rather than run on.
CHAIN_LIMIT = 8


def owner_chain(
    company_id: int,
    parent_of: Mapping[int, int | None] | Callable[[int], int | None],
    *,
    first: int | None = None,
    limit: int = CHAIN_LIMIT,
) -> list[int]:
    """The ids of the controlling owners above `company_id`, nearest first.

    `parent_of` gives a company's controlling owner (a mapping or a function; None or missing
    ends the chain). `first`, when given, is the first step (an editor's unsaved choice, or a
    company that is not in the mapping). Stops at a cycle — a company met twice — and after
    `limit` steps.
    """
    get = parent_of.get if isinstance(parent_of, Mapping) else parent_of
    chain, seen = [], {company_id}
    node = get(company_id) if first is None else first
    while node is not None and node not in seen:
        chain.append(node)
        seen.add(node)
        if len(chain) >= limit:
            break  # never asks past the limit (a page joins only so many levels)
        node = get(node)
    return chain


def makes_cycle(owned_id: int, owner_id: int, parent_of) -> bool:
    """Whether making `owner_id` the controlling owner of `owned_id` would close a loop: the
    owner's own chain reaches the owned company (or is the company itself)."""
    if owned_id == owner_id:
        return True
    return owned_id in owner_chain(owner_id, parent_of, limit=10_000)


def controlled(company_id: int, parent_of: Mapping[int, int | None]) -> list[int]:
    """The ids of the companies `company_id` controls, directly or down a chain (its group),
    the same links `owner_chain` walks up, followed down; a cycle is walked once."""
    children: dict[int, list[int]] = {}
    for child, parent in parent_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found, seen, todo = [], {company_id}, [company_id]
    while todo:
        for child in sorted(children.get(todo.pop(), ())):
            if child not in seen:
                seen.add(child)
                found.append(child)
                todo.append(child)
    return found
