"""Notifier settings, read from ``HOIAM_NOTIFIER_*`` environment variables."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from hoiam_shared.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HOIAM_NOTIFIER_", extra="ignore", frozen=True)

    http_port: int = 8003
    mongo_database: str = "hoiam_notifier"
    kafka_group_id: str = "hoiam-notifier"
    # Email (SMTP)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10.0
    smtp_connections: int = Field(
        default=4, ge=1, description="SMTP sessions kept open and reused, message after message."
    )
    mail_from: str = "Hồi Âm <hoi-am@localhost>"
    mail_domain: str = Field(default="hoiam.localhost", description="Right side of Message-IDs.")
    console_base_url: str | None = Field(
        default=None,
        description="The console's address (bodies' 'Xem và trả lời' links); unset: no link, "
        "the message gives the tracking code instead.",
    )
    public_base_url: str | None = Field(
        default=None,
        description="The public site's address (status links `/t/<code>`); unset: no link, "
        "the message says how to ask about the tracking code instead.",
    )
    # Zalo OA (consultation messages, ZNS, token refresh). No app id: Zalo is off.
    zalo_api_base: str = "https://openapi.zalo.me"
    zns_api_base: str = "https://business.openapi.zalo.me"
    zalo_oauth_base: str = "https://oauth.zaloapp.com"
    zalo_app_id: str | None = None
    zalo_secret_key: SecretStr | None = None
    zalo_access_token: SecretStr | None = None
    zalo_refresh_token: SecretStr | None = None
    zalo_access_token_expires_at: str | None = Field(
        default=None, description="ISO time the configured access token expires; unknown = now."
    )
    zalo_zns_template_id: str | None = Field(
        default=None, description="Approved ZNS template (customer_name, tracking_code, status)."
    )
    # Meta (Messenger Send API, comment replies). No page token: Facebook is off.
    graph_api_base: str = "https://graph.facebook.com/v21.0"
    facebook_page_id: str = "me"
    facebook_page_token: SecretStr | None = None
    # SMS gateway (JSON POST with a bearer token). No URL: SMS is off.
    sms_api_url: str | None = None
    sms_api_token: SecretStr | None = None
    http_timeout_seconds: float = 10.0
    # Windows, quiet hours, digests
    zalo_window_hours: float = 48
    messenger_window_hours: float = 24
    human_agent_days: float = 7
    quiet_start_hour: int = Field(default=21, ge=0, le=23)
    quiet_end_hour: int = Field(default=7, ge=0, le=23)
    digest_hour: int = Field(default=17, ge=0, le=23, description="Local hour of daily digests.")
    flush_interval_seconds: float = Field(default=30, gt=0)
    flush_enabled: bool = Field(
        default=True, description="Run the quiet-hours/digest flush here (one replica is enough)."
    )
    # Retries
    send_attempts: int = Field(default=3, ge=1, description="Tries per message before giving up.")
    max_retry_wait_seconds: float = Field(default=30, gt=0)
