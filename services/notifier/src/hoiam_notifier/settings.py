"""Notifier settings, read from ``HOIAM_NOTIFIER_*`` environment variables."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from hoiam_shared.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HOIAM_NOTIFIER_", extra="ignore", frozen=True)

    http_port: int = 8003
    mongo_database: str = "hoiam_notifier"
    kafka_group_id: str = "hoiam-notifier"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10.0
    mail_from: str = "Hồi Âm <hoi-am@localhost>"
    mail_domain: str = Field(default="hoiam.localhost", description="Right side of Message-IDs.")
    console_url: str = "http://127.0.0.1:8001"
    public_url: str = "http://127.0.0.1:8001"
    send_attempts: int = Field(default=3, ge=1, description="Tries per message before giving up.")
