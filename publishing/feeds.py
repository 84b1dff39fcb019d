"""The Atom feed of new and changed deals, for any filter the deals page takes
(`/feeds/deals.atom?status=signed&company=CATL`), and of the deals it followed that were deleted
or unpublished since (tombstones).

A tombstone is told twice over: as an ordinary entry ("Deleted: <title>", category
`deal.deleted` or `deal.unpublished`), which every feed reader shows, and as an RFC 6721
`at:deleted-entry` whose `ref` is the id of the deal's last entry, for readers that drop
entries they were told are gone."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from partnerships import titles
from publishing import dataset, withdrawals
from publishing.models import DealWithdrawal

FEED_ITEMS = 50
# Tombstones read to find those the filter matches (in Python: their deals are gone), newest
# first and no older than the oldest deal entry shown.
WITHDRAWALS_SCANNED = 1000
TOMBSTONES_NAMESPACE = "http://purl.org/atompub/tombstones/1.0"


class AtomWithTombstones(Atom1Feed):
    """Atom with RFC 6721's `at:deleted-entry` after each tombstone's entry."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:at": TOMBSTONES_NAMESPACE}

    def write_items(self, handler):
        for item in self.items:
            handler.startElement("entry", self.item_attributes(item))
            self.add_item_elements(handler, item)
            handler.endElement("entry")
            if deleted := item.get("deleted_entry"):
                handler.startElement(
                    "at:deleted-entry", {"ref": deleted["ref"], "when": deleted["when"]}
                )
                handler.addQuickElement("at:comment", deleted["comment"])
                handler.endElement("at:deleted-entry")


def _changed_at(item):
    return item.withdrawn_at if isinstance(item, DealWithdrawal) else item.updated_at


class DealFeed(Feed):
    """The 50 most recently changed deals that match the filter, newest change first.

    An entry's id names the deal *and its version*, so a feed reader shows each change as a new
    entry rather than silently replacing the old one."""

    feed_type = AtomWithTombstones

    def get_object(self, request, filterset=None):
        self.query = request.GET.urlencode()
        self.full_path = request.get_full_path()
        return filterset

    def title(self, filterset):
        base = _("Korea–China partnerships: new and changed deals")
        return f"{base} ({self.query})" if self.query else base

    def subtitle(self, filterset):
        return dataset.notice()

    def link(self, filterset):
        return reverse("dashboard:deal-list") + (f"?{self.query}" if self.query else "")

    def feed_url(self, filterset):
        return self.full_path

    def feed_copyright(self, filterset):
        return f"{dataset.LICENCE['title']} ({dataset.LICENCE['url']})"

    def _deals(self, filterset):
        newest = filterset.qs.order_by("-updated_at", "-id")
        return newest.for_detail()[:FEED_ITEMS]

    def items(self, filterset):
        """The most recently changed deals and the tombstones the filter matches, newest
        first, 50 in all."""
        deals = list(self._deals(filterset))
        tombstones = DealWithdrawal.objects.order_by("-withdrawn_at", "-id")
        if len(deals) == FEED_ITEMS:
            tombstones = tombstones.filter(withdrawn_at__gte=deals[-1].updated_at)
        wanted = withdrawals.filter_values(filterset)
        matched = [
            tombstone
            for tombstone in tombstones[:WITHDRAWALS_SCANNED]
            if withdrawals.matches(tombstone.snapshot, wanted)
        ]
        return sorted(deals + matched, key=_changed_at, reverse=True)[:FEED_ITEMS]

    def item_title(self, deal):
        if isinstance(deal, DealWithdrawal):
            # Its title as readers last saw it, in their language.
            title = titles.deal_title(deal.snapshot)
            if deal.event == DealWithdrawal.Event.DELETED:
                return _("Deleted: %(title)s") % {"title": title}
            return _("Withdrawn from publication: %(title)s") % {"title": title}
        title = titles.deal_title(deal)
        # A built title says its status; an editor's headline is followed by it.
        if title == titles.editor_title(deal):
            return f"{title} · {deal.get_status_display()}"
        return title

    def _tombstone_description(self, tombstone):
        if tombstone.event == DealWithdrawal.Event.DELETED:
            text = _("The deal %(slug)s was deleted; version %(version)s was the last published.")
        else:
            text = _(
                "The deal %(slug)s is no longer published (version %(version)s was the last):"
                " %(reason)s"
            )
        return text % {
            "slug": tombstone.slug,
            "version": tombstone.last_version,
            "reason": tombstone.reason,
        }

    def item_description(self, deal):
        if isinstance(deal, DealWithdrawal):
            return self._tombstone_description(deal)
        parties = ", ".join(
            f"{party.company.name} ({party.get_role_display()})" for party in deal.parties.all()
        )
        volume = (
            _("%(gwh)s GWh") % {"gwh": f"{deal.volume_gwh.normalize():f}"}
            if deal.volume_gwh is not None
            else _("volume not known")
        )
        lines = [
            _("Status: %(status)s") % {"status": deal.get_status_display()},
            _("Parties: %(parties)s") % {"parties": parties},
            _("Volume: %(volume)s") % {"volume": volume},
        ]
        citation = next(iter(deal.citations.all()), None)
        if citation is not None:
            lines.append(f"“{citation.quote}” ({citation.source.title})")
        return "\n".join(lines)

    def item_link(self, deal):
        if isinstance(deal, DealWithdrawal):
            # Its page is gone: the deals page, where what remains is listed.
            return reverse("dashboard:deal-list")
        return deal.get_absolute_url()

    def item_guid(self, deal):
        if isinstance(deal, DealWithdrawal):
            return f"{self._deal_url(deal)}#withdrawn-{deal.pk}"
        return f"{deal.get_absolute_url()}#version-{deal.version}"

    @staticmethod
    def _deal_url(tombstone):
        return reverse("dashboard:deal-detail", args=[tombstone.slug])

    def item_guid_is_permalink(self, deal):
        return False

    def item_pubdate(self, deal):
        if isinstance(deal, DealWithdrawal):
            return deal.withdrawn_at
        return deal.created_at

    def item_updateddate(self, deal):
        return _changed_at(deal)

    def item_categories(self, deal):
        if isinstance(deal, DealWithdrawal):
            return [deal.event]
        return [deal.status, deal.kind, deal.product]

    def item_extra_kwargs(self, deal):
        if not isinstance(deal, DealWithdrawal):
            return {}
        # The id of the deal's last entry, written as `item_guid` wrote it.
        ref = f"{self._deal_url(deal)}#version-{deal.last_version}"
        return {
            "deleted_entry": {
                "ref": ref,
                "when": deal.withdrawn_at.isoformat(),
                "comment": self._tombstone_description(deal),
            }
        }
