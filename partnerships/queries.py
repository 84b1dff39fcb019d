"""Company ownership chains read in one query (`CompanyFamily`), for the API's companies. The
catalogue's reads are the models' QuerySet methods (`querysets.py`); the aggregates (stats,
timeline, supply graph) are in `dashboard/`.
"""

from collections import defaultdict

from partnerships.models import Company
from partnerships.ownership import owner_chain


class CompanyFamily:
    """Every published company's controlling owner in one query, to walk ownership chains
    without a query per step (`ownership.owner_chain`): Polestar → Geely Holding."""

    def __init__(self):
        self.rows = {
            row["id"]: row
            for row in Company.objects.readable().values(
                "id", "slug", "name", "country", "parent_id"
            )
        }
        self.children = defaultdict(list)
        for row in sorted(self.rows.values(), key=lambda r: r["name"]):
            if row["parent_id"] in self.rows:
                self.children[row["parent_id"]].append(row)

    @staticmethod
    def _brief(row):
        return {"id": row["id"], "slug": row["slug"], "name": row["name"]}

    def _parent_of(self, company_id):
        return self.rows[company_id]["parent_id"] if company_id in self.rows else None

    def parent_chain(self, company_id, parent_id=None):
        """The published controlling owners up from `company_id` (an unpublished company,
        which an editor may be looking at, is not in the rows: give its `parent_id`)."""
        chain = owner_chain(company_id, self._parent_of, first=parent_id)
        # The chain stops below the first owner readers may not see.
        shown = []
        for pk in chain:
            if pk not in self.rows:
                break
            shown.append(self._brief(self.rows[pk]))
        return shown

    def subsidiaries(self, company_id):
        return [self._brief(row) for row in self.children.get(company_id, [])]
