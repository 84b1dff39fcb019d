"""Data releases and webhook subscriptions: what the catalogue publishes, kept apart from it."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Release(models.Model):
    """A numbered, dated, citable copy of the whole dataset: a Frictionless data package
    (one CSV per table and `datapackage.json`), with the changes since the previous release."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("What this release is for."))
    data_version = models.PositiveBigIntegerField(
        _("data version"), help_text=_("The catalogue's data version the release was read at.")
    )
    data_updated_at = models.DateTimeField(_("data last updated"), null=True, blank=True)
    row_counts = models.JSONField(_("rows per table"), default=dict)
    changes = models.JSONField(
        _("changes since the previous release"),
        default=dict,
        help_text=_("Per table: rows added, changed and removed, with the first slugs of each."),
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("data release")
        verbose_name_plural = _("data releases")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="release_number_positive"
            )
        ]

    def __str__(self):
        return _("Release %(number)s") % {"number": self.number}

    def get_absolute_url(self):
        return reverse("publishing:release-detail", args=[self.number])


class ReleaseFile(models.Model):
    """One file of a release's package, stored in the database so a backup holds it."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("file name"), max_length=100)
    media_type = models.CharField(_("media type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("bytes"))
    content = models.BinaryField(_("content"))

    class Meta:
        ordering = ["release", "name"]
        verbose_name = _("release file")
        verbose_name_plural = _("release files")
        constraints = [
            models.UniqueConstraint(fields=["release", "name"], name="release_file_unique_name")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("publishing:release-file", args=[self.release.number, self.name])


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """An address a staff member entered to be told, by a signed POST, when a deal that matches
    a filter is created or changed."""

    url = models.URLField(
        _("address"),
        max_length=500,
        help_text=_("Where the POST goes. Only staff enter addresses; redirects are not followed."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    filter = models.CharField(
        _("filter"),
        max_length=500,
        blank=True,
        help_text=_(
            "The deals page's filter as a query string (status=signed&company=CATL); empty for"
            " every deal."
        ),
    )
    secret = models.CharField(
        _("secret"),
        max_length=100,
        default=new_secret,
        help_text=_("Signs each body: X-Webhook-Signature is sha256=HMAC(secret, body)."),
    )
    active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failed attempts in a row"), default=0)
    paused_reason = models.CharField(_("why it was paused"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["url", "id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self):
        return self.description or self.url


class DealWithdrawal(models.Model):
    """A tombstone: a deal readers could see was deleted or unpublished. Kept so that the feed
    and the webhooks tell those who followed it, with the deal's last published state
    (`snapshot`, which `publishing.withdrawals` matches against a filter)."""

    class Event(models.TextChoices):
        DELETED = "deal.deleted", _("deleted")
        UNPUBLISHED = "deal.unpublished", _("unpublished")

    deal_id = models.PositiveBigIntegerField(_("deal id"))
    slug = models.CharField(_("slug"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    reason = models.CharField(
        _("reason"),
        max_length=300,
        blank=True,
        help_text=_("Why an unpublished deal no longer shows (its unpublished reason)."),
    )
    last_version = models.PositiveIntegerField(
        _("last version"), help_text=_("The version readers saw last.")
    )
    snapshot = models.JSONField(
        _("last published state"),
        help_text=_("The deal's fields, parties and vehicle models as readers saw them last."),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), auto_now_add=True)

    class Meta:
        ordering = ["-withdrawn_at", "-id"]
        verbose_name = _("deal withdrawal")
        verbose_name_plural = _("deal withdrawals")
        indexes = [models.Index(fields=["-withdrawn_at", "-id"], name="withdrawal_newest")]

    def __str__(self):
        return f"{self.event} {self.slug} (v{self.last_version})"


class WebhookDelivery(models.Model):
    """One event for one subscription, with every attempt's outcome: the delivery log."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40)
    deal_id = models.PositiveBigIntegerField(_("deal id"))
    deal_version = models.PositiveIntegerField(_("deal version"))
    payload = models.JSONField(_("body"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    withdrawal = models.ForeignKey(
        DealWithdrawal,
        verbose_name=_("withdrawal"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        help_text=_("For deal.deleted and deal.unpublished: the tombstone announced."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            # One delivery per subscription and version of a deal: a change fires once.
            models.UniqueConstraint(
                fields=["subscription", "deal_id", "deal_version", "event"],
                condition=models.Q(withdrawal__isnull=True),
                name="webhook_delivery_once_per_change",
            ),
            # One per subscription and withdrawal: a deal unpublished, published again without
            # a new version and unpublished once more is told twice, each tombstone once.
            models.UniqueConstraint(
                fields=["subscription", "withdrawal"],
                condition=models.Q(withdrawal__isnull=False),
                name="webhook_delivery_once_per_withdrawal",
            ),
        ]

    def __str__(self):
        return f"{self.event} #{self.deal_id} v{self.deal_version} → {self.subscription}"
