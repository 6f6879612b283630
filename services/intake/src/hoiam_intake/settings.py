"""Intake settings, read from ``HOIAM_INTAKE_*`` environment variables."""

from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from hoiam_shared.settings import ServiceSettings

START_REFUSED = (  # what a start without the id secret prints, and nothing else
    "HOIAM_INTAKE_ID_SECRET is not set: it keys item ids and tracking codes; "
    "set it once and keep it"
)


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HOIAM_INTAKE_", extra="ignore", frozen=True)

    http_port: int = 8001
    mongo_database: str = "hoiam_intake"
    kafka_group_id: str = "hoiam-intake"
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Larger requests get 413.")

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

    imap_host: str | None = Field(default=None, description="Set to poll a mailbox.")
    imap_port: int = 993
    imap_tls: bool = Field(default=True, description="False only for a loopback test server.")
    imap_user: str = ""
    imap_password: SecretStr = SecretStr("")
    imap_mailbox: str = "INBOX"
    imap_poll_seconds: float = Field(default=30, gt=0)
    imap_batch: int = Field(default=50, ge=1, description="Messages fetched per round.")


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
