"""Intake settings, read from ``HOIAM_INTAKE_*`` environment variables."""

from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from hoiam_shared.settings import ServiceSettings

START_REFUSED = (  # what a start without the id secret prints, and nothing else
    "HOIAM_INTAKE_ID_SECRET is not set: it keys item ids and tracking codes; "
    "set it once and keep it"
)

type Endpoint = Literal[
    "web", "web_photos", "email", "calls", "manual_call", "zalo", "facebook", "open311", "minutes"
]
"""The endpoints whose request bodies have a size limit."""

DEFAULT_BODY_LIMITS: dict[Endpoint, int] = {
    "web": 65_536,  # a form of at most 20 000 characters
    "manual_call": 65_536,
    "zalo": 262_144,  # a provider's event; Meta may batch several entries in one webhook
    "facebook": 262_144,
    "open311": 262_144,
    # A call log is split into one small record per call, so it may be larger than a record.
    "calls": 5_242_880,
    # Meeting minutes (.docx/.xlsx with pictures) are split into one small record per petition.
    "minutes": 10_485_760,
    # The form with up to 5 photos of 5 MB (domain.photos): the photos go to the attachment
    # store, only their ids to the raw record.
    "web_photos": 5 * 5_242_880 + 262_144,
}


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HOIAM_INTAKE_", extra="ignore", frozen=True)

    http_port: int = 8001
    mongo_database: str = "hoiam_intake"
    kafka_group_id: str = "hoiam-intake"
    max_body_bytes: int = Field(
        default=750_000,
        ge=1024,
        description="Largest request body of an endpoint without a limit of its own; larger "
        "gets 413. Its base64 in the raw record must fit in one Kafka record "
        "(kafka_max_record_bytes): 750 000 bytes are 1 000 000 in base64.",
    )
    max_body_bytes_by_endpoint: dict[Endpoint, Annotated[int, Field(ge=1024)]] = Field(
        default_factory=dict,
        description="Per endpoint (web, web_photos, email, calls, manual_call, zalo, facebook, "
        "open311, minutes): its largest body, over the defaults of `DEFAULT_BODY_LIMITS`.",
    )
    max_text_chars: int = Field(
        default=20_000,
        ge=1000,
        description="Longer texts are cut, with a marker; the raw record keeps the whole text.",
    )

    id_secret: SecretStr = Field(
        min_length=1,
        description="Keys the derivation of item ids and tracking codes from provider ids. "
        "Required, with no default: a known key would let anyone compute tracking codes.",
    )
    operator_token: SecretStr | None = Field(
        default=None,
        description="Bearer token for operator endpoints; unset, they answer 401.",
    )
    duplicate_window_hours: float = Field(
        default=72,
        gt=0,
        description="Same citizen, same matter within this → told the first item, no new one.",
    )
    resent_similarity: float = Field(
        default=0.6,
        gt=0,
        le=1,
        description="Word-pair similarity (folded text) from which a text repeats a matter.",
    )
    gather_seconds: float = Field(
        default=120,
        gt=0,
        description="Zalo/Messenger: messages of one sender until a silence this long are "
        "gathered into one item.",
    )
    gather_flush_seconds: float = Field(
        default=5, gt=0, description="How often gathered conversations are checked."
    )
    conversation_hours: float = Field(
        default=48,
        gt=0,
        description="Chat messages within this of the conversation's last one are replies to "
        "its item; after a longer silence a new item is gathered.",
    )
    account_provinces: dict[str, str] = Field(
        default_factory=dict,
        description="Receiving account (mailbox, hotline, OA id, page id) → province code.",
    )
    timezone: ZoneInfo = Field(
        default=ZoneInfo("Asia/Ho_Chi_Minh"), description="Of PBX local call times."
    )
    calls_csv_columns: dict[str, str] = Field(
        default_factory=dict,
        description="Generic call CSV: our field (call_id, caller, name, started_at, status, "
        "text, address, hotline) → the file's column header.",
    )

    zalo_app_id: str = ""
    zalo_oa_secret: SecretStr | None = Field(default=None, description="Unset: Zalo refused.")
    facebook_app_secret: SecretStr | None = Field(default=None, description="Unset: refused.")
    facebook_verify_token: SecretStr | None = None
    webhook_max_age_seconds: float = Field(
        default=600,
        gt=0,
        description="A signed webhook whose provider timestamp (Zalo `timestamp`, Meta entry "
        "`time`) is further than this from our clock is refused: a captured request cannot be "
        "replayed later. A provider's retries after a longer outage are refused too.",
    )

    rate_window_seconds: float = Field(
        default=3600, gt=0, description="Length of the fixed window the rate limits count in."
    )
    rate_per_ip: int = Field(
        default=30,
        ge=0,
        description="Submissions per window from one client address to the web form, Open311 "
        "and the email upload (0: no limit). The address is the ASGI client's: behind a proxy, "
        "run uvicorn with --forwarded-allow-ips=<the proxy> so it is the citizen's.",
    )
    rate_per_contact: int = Field(
        default=5,
        ge=0,
        description="Submissions per window naming one email or phone (0: no limit): each is "
        "acknowledged there, so this bounds what a stranger can make a victim receive.",
    )
    rate_exempt_ips: frozenset[str] = Field(
        default=frozenset(),
        description="Client addresses with no per-address limit (the mail pipe's host, which "
        "posts every citizen's mail); their contacts are still counted.",
    )

    imap_host: str | None = Field(default=None, description="Set to poll a mailbox.")
    imap_port: int = 993
    imap_tls: bool = Field(default=True, description="False only for a loopback test server.")
    imap_user: str = ""
    imap_password: SecretStr = SecretStr("")
    imap_mailbox: str = "INBOX"
    imap_poll_seconds: float = Field(default=30, gt=0)
    imap_batch: int = Field(default=50, ge=1, description="Messages fetched per round.")

    def body_limit(self, endpoint: Endpoint) -> int:
        """The largest body `endpoint` takes: its own setting, else its default, and never
        more than `max_body_bytes` for the endpoints whose whole body is one raw record."""
        if endpoint in self.max_body_bytes_by_endpoint:
            return self.max_body_bytes_by_endpoint[endpoint]
        default = DEFAULT_BODY_LIMITS.get(endpoint, self.max_body_bytes)
        split = endpoint in ("calls", "minutes", "web_photos")
        return default if split else min(default, self.max_body_bytes)


def load_settings() -> IntakeSettings:
    """The settings of a starting intake; without its id secret, one clear line and exit 1.

    The secret has no default on purpose (ids and codes would be computable by anyone, and
    changing it later changes the ids of retried messages), so the process refuses to start
    rather than printing a validation traceback.
    """
    try:
        return IntakeSettings()
    except ValidationError as error:
        if any(problem["loc"] == ("id_secret",) for problem in error.errors()):
            raise SystemExit(START_REFUSED) from None
        raise
