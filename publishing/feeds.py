"""The Atom feed of new and changed deals, for any filter the deals page takes
(`/feeds/deals.atom?status=signed&company=CATL`)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from partnerships import queries, titles
from publishing import dataset

FEED_ITEMS = 50


class DealFeed(Feed):
    """The 50 most recently changed deals that match the filter, newest change first.

    An entry's id names the deal *and its version*, so a feed reader shows each change as a new
    entry rather than silently replacing the old one."""

    feed_type = Atom1Feed

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

    def items(self, filterset):
        newest = filterset.qs.order_by("-updated_at", "-id")
        return queries.deals_for_list(newest)[:FEED_ITEMS]

    def item_title(self, deal):
        title = titles.deal_title(deal)
        # A built title says its status; an editor's headline is followed by it.
        if title == titles.editor_title(deal):
            return f"{title} · {deal.get_status_display()}"
        return title

    def item_description(self, deal):
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
        return deal.get_absolute_url()

    def item_guid(self, deal):
        return f"{deal.get_absolute_url()}#version-{deal.version}"

    def item_guid_is_permalink(self, deal):
        return False

    def item_pubdate(self, deal):
        return deal.created_at

    def item_updateddate(self, deal):
        return deal.updated_at

    def item_categories(self, deal):
        return [deal.status, deal.kind, deal.product]
