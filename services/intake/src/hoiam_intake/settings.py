"""Intake settings, read from ``HOIAM_INTAKE_*`` environment variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hoiam_shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HOIAM_INTAKE_", extra="ignore", frozen=True)

    http_port: int = 8001
    mongo_database: str = "hoiam_intake"
    kafka_group_id: str = "hoiam-intake"
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Larger requests get 413.")
