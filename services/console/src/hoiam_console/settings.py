"""Console settings, read from ``HOIAM_CONSOLE_*`` environment variables."""

from pydantic import AnyHttpUrl, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from hoiam_shared.settings import ServiceSettings


class ConsoleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HOIAM_CONSOLE_", extra="ignore", frozen=True)

    http_port: int = 8004
    mongo_database: str = "hoiam_console"
    kafka_group_id: str = "hoiam-console"
    intake_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1:8001"), description="Intake's API (operator tasks)."
    )
    router_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("http://127.0.0.1:8002"),
        description="The router's API (status changes, triage decisions, the directory).",
    )
    session_ttl_minutes: int = Field(
        default=8 * 60, ge=5, description="How long a sign-in (cookie or API token) lasts."
    )
    cookie_secure: bool = Field(
        default=False,
        description="Send the session cookie over HTTPS only; True wherever the console is "
        "served over TLS (every deployment but a developer's machine).",
    )
    login_failures_allowed: int = Field(
        default=5, ge=1, description="Failed sign-ins per username, and per address, ..."
    )
    login_window_minutes: int = Field(
        default=15, ge=1, description="... within this window, before sign-in is refused (429)."
    )
    upstream_timeout_seconds: float = Field(default=10.0, gt=0)
    public_lookups_allowed: int = Field(
        default=30,
        ge=1,
        description="Public lookups of tracking codes (pages, JSON, ratings) per client address...",
    )
    public_window_minutes: int = Field(default=10, ge=1, description="... within this window.")
    open311_api_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Open311 clients allowed to POST requests: application name → api_key "
        "(JSON). Empty: GeoReport reads only, every POST refused (403).",
    )
    open311_contact: str = Field(
        default="", description="Who runs the Open311 endpoint (its discovery document)."
    )
