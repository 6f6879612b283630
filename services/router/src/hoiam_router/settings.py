"""Router settings, read from ``HOIAM_ROUTER_*`` environment variables."""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from hoiam_shared.settings import ServiceSettings


class RouterSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HOIAM_ROUTER_", extra="ignore", frozen=True)

    http_port: int = 8002
    mongo_database: str = "hoiam_router"
    kafka_group_id: str = "hoiam-router"
    directory_path: Path | None = Field(
        default=None, description="Routing directory YAML; the bundled 34-province one when unset."
    )
    fallback_province: str | None = Field(
        default="86", description="Province code used when an item names none (the deployment's)."
    )
    operator_token: SecretStr | None = Field(
        default=None,
        description="Bearer token of the operator API; without it every operator call gets 401.",
    )
    ask_commune: bool = Field(
        default=True,
        description="A commune's matter from an unknown commune waits in triage while the "
        "citizen is asked for it; False sends it to the provincial department instead.",
    )
    sweep_interval_seconds: float = Field(
        default=300.0, gt=0, description="How often the overdue sweep runs."
    )
    workload_interval_seconds: float = Field(
        default=300.0, gt=0, description="How often open and overdue items per body are counted."
    )
    repeats_refresh_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often each router process reloads the published answers it matches "
        "new items against (the ones another process of the group recorded).",
    )
    learned_model: bool = Field(
        default=True,
        description="Route with the n-gram model fitted on the labelled set (else rules only).",
    )
    model_cache_dir: Path | None = Field(
        default=None,
        description="Where the fitted model is kept (router-model-<key>.pkl): a start whose "
        "data, directory and code match loads it instead of training; unset: train every start.",
    )
    model_data_path: Path | None = Field(
        default=None, description="Labelled petitions to train on; the bundled set when unset."
    )
    confidence_threshold: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Below this confidence an item goes to triage; the evaluated one when unset.",
    )
