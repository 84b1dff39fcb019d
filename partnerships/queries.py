"""Company ownership chains read in one query (`CompanyFamily`), for the API's companies. The
catalogue's reads are the models' QuerySet methods (`querysets.py`); the aggregates (stats,
timeline, supply graph) are in `dashboard/`.
"""

from collections import defaultdict

from partnerships.models import Company


class CompanyFamily:
    """Every company's parent link in one query, to walk ownership chains without a query per
    step: Polestar → Volvo Cars → Geely."""

    def __init__(self):
        self.rows = {
            row["id"]: row
            for row in Company.objects.readable().values(
                "id", "slug", "name", "country", "parent_id"
            )
        }
        self.children = defaultdict(list)
        for row in sorted(self.rows.values(), key=lambda r: r["name"]):
            if row["parent_id"]:
                self.children[row["parent_id"]].append(row)

    @staticmethod
    def _brief(row):
        return {"id": row["id"], "slug": row["slug"], "name": row["name"]}

    def parent_chain(self, company_id, parent_id=None):
        """The published owners up from `company_id` (an unpublished company, which an editor
        may be looking at, is not in the rows: give its `parent_id`)."""
        chain, seen = [], {company_id}
        if parent_id is None:
            parent_id = self.rows.get(company_id, {}).get("parent_id")
        while parent_id and parent_id not in seen and parent_id in self.rows:
            chain.append(self._brief(self.rows[parent_id]))
            seen.add(parent_id)
            parent_id = self.rows[parent_id]["parent_id"]
        return chain

    def subsidiaries(self, company_id):
        return [self._brief(row) for row in self.children.get(company_id, [])]
