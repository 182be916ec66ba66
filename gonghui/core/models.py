import datetime
import time
from binascii import unhexlify

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice


class Role(models.TextChoices):
    FEDERATION_STAFF = "federation_staff", _("Federation staff")
    UNION_OFFICER = "union_officer", _("Union officer")
    AUDITOR = "auditor", _("Auditor")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


ADMIN_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)


class User(AbstractUser):
    display_name = models.CharField(_("name"), max_length=50, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    # Set only by the demo seed, so the production deploy check can refuse a database holding demo logins.
    is_demo = models.BooleanField(_("demo account"), default=False, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        # Django's create_user() hashes the first password without set_password(): its date is the creation's.
        if self._state.adding and self.password_changed_at is None:
            self.password_changed_at = timezone.now()
        super().save(*args, **kwargs)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def check_password(self, raw_password):
        """As Django's, except that re-hashing a correct password with a newer hasher is not a password change."""
        from django.contrib.auth.hashers import check_password

        def rehash(raw):
            changed_at = self.password_changed_at
            super(User, self).set_password(raw)
            self.password_changed_at = changed_at
            self._password = None
            self.save(update_fields=["password"])

        return check_password(raw_password, self.password, rehash)

    def password_expired(self, max_age_days: int) -> bool:
        """True when the password is older than ``max_age_days`` (0: passwords never expire)."""
        if not max_age_days or self.password_changed_at is None:
            return False
        return timezone.now() - self.password_changed_at > datetime.timedelta(days=max_age_days)


class Grant(models.Model):
    """A role held over an organization's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="grants",
                            verbose_name=_("organization"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org"], name="core_grant_unique"),
            # 三员分立: an account holds at most one of the three administrator roles.
            models.UniqueConstraint(fields=["user"], condition=Q(role__in=ADMIN_ROLES),
                                    name="core_grant_one_admin_role"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} @ {self.org.name}"


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Success")
    DENIED = "denied", _("Denied")
    FAILED = "failed", _("Failed")


class AuditEvent(models.Model):
    """Append-only, hash-chained record of who did what. Database triggers refuse UPDATE and DELETE."""

    seq = models.BigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("actor"))
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    actor_org = models.CharField(_("actor's organization"), max_length=32, blank=True)
    scope_path = models.CharField(_("scope path"), max_length=255, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)
    key_id = models.CharField(_("key id"), max_length=16, blank=True, default="")

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_audit_object")]

    def __str__(self):
        return f"#{self.seq} {self.action}"


class Authenticator(TOTPDevice):
    """django-otp's TOTP device with its secret sealed at rest: ``key`` holds the hex secret encrypted with the
    personal-data keys (crypto.py), so a copy of the table (a backup) gives no authenticator secret. Everything
    else, throttling and replay refusal included, is django-otp's."""

    KIND = "totp"

    class Meta:
        proxy = True
        verbose_name = _("authenticator")

    @classmethod
    def seal(cls, hex_key: str) -> str:
        """The sealed form of a hex secret; it must fit django-otp's 80-character column (a 20-byte secret and a
        data key id of up to 12 characters do)."""
        from django.core.exceptions import ImproperlyConfigured

        from .crypto import encrypt_bytes

        token = encrypt_bytes(unhexlify(hex_key.encode()), kind=cls.KIND)
        if len(token) > cls._meta.get_field("key").max_length:
            raise ImproperlyConfigured("The authenticator secret does not fit its column sealed: use a data key id "
                                       "of at most 12 characters.")
        return token

    @property
    def is_sealed(self) -> bool:
        return self.key.startswith("v1$")

    @property
    def bin_key(self):
        from .crypto import decrypt_bytes

        return decrypt_bytes(self.key, kind=self.KIND) if self.is_sealed else unhexlify(self.key.encode())

    @property
    def hex_key(self) -> str:
        return self.bin_key.hex()


class HolidayYear(models.Model):
    """A year whose State Council holiday arrangement has been entered; other years are provisional."""

    class Source(models.TextChoices):
        PACKAGE = "package", _("chinese_calendar package")
        MANUAL = "manual", _("Entered by an administrator")
        SPREADSHEET = "spreadsheet", _("Imported from a spreadsheet")

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    notice = models.CharField(_("notice"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("holiday arrangement year")
        verbose_name_plural = _("holiday arrangement years")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class HolidayDay(models.Model):
    """An exception to the Monday-Friday week: a holiday, or a weekend day made a working day (调休)."""

    date = models.DateField(_("date"), primary_key=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday arrangement day")
        verbose_name_plural = _("holiday arrangement days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class SecurityPolicy(models.Model):
    """Security settings kept by the security administrator. There is one row."""

    password_max_age_days = models.PositiveSmallIntegerField(
        _("password maximum age (days)"), default=90,
        help_text=_("Staff must choose a new password after this many days; 0 means never."))
    require_second_factor = models.BooleanField(
        _("require two-step verification"), default=True,
        help_text=_("Every staff account signs in with a password and a code from an authenticator app."))
    session_idle_minutes = models.PositiveSmallIntegerField(_("session idle timeout (minutes)"), default=30)
    lockout_failures = models.PositiveSmallIntegerField(_("failed logins before lockout"), default=5)
    lockout_cooloff_minutes = models.PositiveSmallIntegerField(_("lockout cool-off (minutes)"), default=30)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="core_securitypolicy_singleton"),
            models.CheckConstraint(condition=Q(session_idle_minutes__gte=1, session_idle_minutes__lte=720),
                                   name="core_securitypolicy_idle_range"),
            models.CheckConstraint(condition=Q(lockout_failures__gte=3, lockout_failures__lte=20),
                                   name="core_securitypolicy_failures_range"),
            models.CheckConstraint(condition=Q(password_max_age_days__lte=365),
                                   name="core_securitypolicy_password_age_range",
                                   violation_error_message=_("The password age is at most 365 days (0: never).")),
            # A lockout always ends by itself: a cool-off of at least a minute and at most a day.
            models.CheckConstraint(condition=Q(lockout_cooloff_minutes__gte=1, lockout_cooloff_minutes__lte=1440),
                                   name="core_securitypolicy_cooloff_range",
                                   violation_error_message=_("The lockout cool-off is 1 to 1440 minutes (a day).")),
        ]

    def __str__(self):
        return str(_("Security policy"))

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _POLICY_CACHE.clear()

    @classmethod
    def current(cls) -> "SecurityPolicy":
        """The policy, read at most every few seconds per process (it is consulted on every request)."""
        cached = _POLICY_CACHE.get("policy")
        if cached and cached[1] > time.monotonic():
            return cached[0]
        policy = cls.objects.filter(pk=1).first() or cls()
        _POLICY_CACHE["policy"] = (policy, time.monotonic() + 5)
        return policy


_POLICY_CACHE: dict = {}


class ApiToken(models.Model):
    """A bearer token for integrations, bound to one grant. Only a hash of the secret is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("grant"))
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix})"


class ImportJob(models.Model):
    """A spreadsheet import run in the background: its file, options, progress and outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Imported")
        REFUSED = "refused", _("Refused: rows have problems")
        FAILED = "failed", _("Failed")

    uid = models.CharField(_("public id"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=32)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("user"))
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="+", verbose_name=_("grant"))
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"))
    filename = models.CharField(_("file name"), max_length=200)
    stored_path = models.CharField(max_length=300)
    options = models.JSONField(_("options"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_rows = models.PositiveIntegerField(_("rows created"), default=0)
    updated_rows = models.PositiveIntegerField(_("rows updated"), default=0)
    refused_rows = models.PositiveIntegerField(_("rows refused"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    report_path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # When a running job last showed it was alive (``gonghui.core.import_jobs``).
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        indexes = [
            models.Index(fields=["org", "-created_at"], name="core_importjob_org"),
            # The stale-job sweep: running jobs whose heartbeat is older than the cutoff (few rows, ever).
            models.Index(fields=["heartbeat_at"], condition=Q(status="running"), name="core_importjob_running_beat"),
        ]

    def __str__(self):
        return f"{self.kind} {self.uid}"


class Approval(models.Model):
    """A maker-checker request (双人复核): an action that pays money or hands out personal data in bulk, asked for
    by one person and allowed by another before it runs once. Kinds and their rules: ``gonghui.core.approvals``."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        EXECUTED = "executed", _("Done")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    uid = models.CharField(_("request code"), max_length=12, unique=True)
    kind = models.CharField(_("kind"), max_length=40)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"))
    # The org's tree path, kept with the row so the requests of a subtree are one index range scan.
    org_path = models.CharField(max_length=255, editable=False)
    # What the action does, as the kind reads it back when it runs. Never personal data in clear.
    payload = models.JSONField(_("request"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.REQUESTED)
    maker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    checker = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("decided by"))
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    expires_at = models.DateTimeField(_("decide before"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    execute_by = models.DateTimeField(_("use before"), null=True, blank=True)
    executed_at = models.DateTimeField(_("done at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        constraints = [
            # The second person is never the first: nobody approves their own request.
            models.CheckConstraint(condition=Q(checker__isnull=True) | ~Q(checker=models.F("maker")),
                                   name="core_approval_checker_not_maker"),
            models.CheckConstraint(
                condition=~Q(state__in=("approved", "rejected", "executed"))
                | Q(checker__isnull=False, decided_at__isnull=False),
                name="core_approval_decided_has_checker"),
            models.CheckConstraint(condition=~Q(state="executed") | Q(executed_at__isnull=False),
                                   name="core_approval_executed_has_time"),
        ]
        indexes = [
            models.Index(fields=["org_path", "state"], name="core_approval_path_state"),
            # The menu badge counts only the open requests of a subtree: this index holds nothing else.
            models.Index(fields=["org_path"], condition=Q(state="requested"), name="core_approval_open"),
        ]

    def __str__(self):
        return self.uid


class AttachmentType(models.TextChoices):
    """The kinds of file an attachment may be, each known by its bytes (``gonghui.core.attachments.content``)."""

    PDF = "application/pdf", _("PDF document")
    OFD = "application/ofd", _("OFD document")
    JPEG = "image/jpeg", _("JPEG image")
    PNG = "image/png", _("PNG image")
    XML = "application/xml", _("XML e-invoice")


class Attachment(models.Model):
    """A file attached to an object of another app (a voucher, evidence, a claim), named by the owner's registered
    kind and id (``gonghui.core.attachments.register_owner``). The bytes live in the "attachments" storage under a
    random name; the owner's tree path is kept with the row so every read is scoped like the owner itself."""

    uid = models.CharField(_("public id"), max_length=24, unique=True)
    owner_kind = models.CharField(_("attached to"), max_length=40)
    owner_id = models.CharField(max_length=40)
    org_path = models.CharField(max_length=255, editable=False)
    original_name = models.CharField(_("file name"), max_length=200)
    stored_name = models.CharField(max_length=200, unique=True, editable=False)
    content_type = models.CharField(_("file type"), max_length=40, choices=AttachmentType.choices)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("uploaded by"))
    # The uploader's unit: a deletion is for someone whose scope covers it (the uploader or a unit above).
    uploader_path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="core_attachment_not_empty"),
            models.CheckConstraint(condition=Q(content_type__in=[c.value for c in AttachmentType]),
                                   name="core_attachment_known_type"),
        ]
        indexes = [
            models.Index(fields=["owner_kind", "owner_id", "id"], name="core_attachment_owner"),
            models.Index(fields=["org_path"], name="core_attachment_path"),
        ]

    def __str__(self):
        return self.original_name


# The shared supervision mechanism's tables (``gonghui.core.supervision``).
from .supervision.models import SupervisionItem, SupervisionSetting  # noqa: E402, F401
