"""deploy/compose.yaml and deploy/Dockerfile agree with the services' settings, ports and names.

No Docker engine is needed: the files are parsed and checked against the settings classes, so a
misspelt ``HOIAM_*`` variable (which pydantic-settings would silently ignore) or a port that drifted
fails here instead of in a container.
"""

import importlib
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from hoiam_console.settings import ConsoleSettings
from hoiam_intake.settings import IntakeSettings
from hoiam_notifier.settings import NotifierSettings
from hoiam_router.settings import RouterSettings
from hoiam_shared.settings import ServiceSettings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
COMPOSE_FILE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
PROMETHEUS_CONFIG_IN_CONTAINER = "/etc/prometheus/prometheus.yml"

SETTINGS: dict[str, type[ServiceSettings]] = {
    "intake": IntakeSettings,
    "router": RouterSettings,
    "notifier": NotifierSettings,
    "console": ConsoleSettings,
}

Service = dict[str, Any]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    assert COMPOSE_FILE.is_file(), f"{COMPOSE_FILE} is missing"
    loaded = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), "compose.yaml is not a mapping"
    assert isinstance(loaded.get("services"), dict), "compose.yaml has no services mapping"
    return loaded


def service(compose: dict[str, Any], name: str) -> Service:
    services: dict[str, Any] = compose["services"]
    assert name in services, f"compose.yaml has no service {name!r}"
    found = services[name]
    assert isinstance(found, dict), f"service {name!r} is not a mapping"
    return found


def key_values(raw: Any) -> dict[str, str]:
    """Compose's `environment` / `build.args`: a mapping or a list of ``KEY=value``."""
    if raw is None:
        return {}
    if isinstance(raw, dict):
        return {str(k): "" if v is None else str(v) for k, v in raw.items()}
    assert isinstance(raw, list), f"expected a mapping or a list, got {raw!r}"
    pairs = (str(item).partition("=") for item in raw)
    return {k: v for k, _, v in pairs}


def environment(svc: Service) -> dict[str, str]:
    return key_values(svc.get("environment"))


def container_ports(svc: Service) -> list[int]:
    """The container side of each published port: ``[ip:][host:]container[/proto]`` or long form."""
    ports: list[int] = []
    for entry in svc.get("ports", []):
        if isinstance(entry, dict):
            ports.append(int(entry["target"]))
        else:
            ports.append(int(str(entry).split("/")[0].rsplit(":", 1)[-1]))
    return ports


def services_with_image(compose: dict[str, Any], image: str) -> list[str]:
    return [
        str(name)
        for name, svc in compose["services"].items()
        if str(svc.get("image", "")).split(":")[0] == image
    ]


def service_with_image(compose: dict[str, Any], image: str) -> str:
    names = services_with_image(compose, image)
    assert len(names) == 1, f"expected one service running {image}, found {names}"
    return names[0]


def brokers(compose: dict[str, Any]) -> list[str]:
    names = services_with_image(compose, "apache/kafka")
    assert names, "compose.yaml runs no Kafka broker"
    return names


def settings_from_compose(
    compose: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> ServiceSettings:
    """The settings the service would load inside its container (developer env cleared)."""
    cls = SETTINGS[name]
    prefix = str(cls.model_config.get("env_prefix", ""))
    for key in list(os.environ):
        if key.upper().startswith(prefix):
            monkeypatch.delenv(key)
    for key, value in environment(service(compose, name)).items():
        monkeypatch.setenv(key, value)
    return cls()


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_env_vars_name_real_settings_fields(compose: dict[str, Any], name: str) -> None:
    cls = SETTINGS[name]
    prefix = str(cls.model_config.get("env_prefix", ""))
    assert prefix == f"HOIAM_{name.upper()}_"
    hoiam_vars = [key for key in environment(service(compose, name)) if key.startswith("HOIAM_")]
    assert hoiam_vars, f"{name} sets no HOIAM_* variables"
    for key in hoiam_vars:
        assert key.startswith(prefix), f"{name}: {key} lacks the prefix {prefix}"
        field = key.removeprefix(prefix).lower()
        assert field in cls.model_fields, f"{name}: {key} names no field of {cls.__name__}"


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_required_settings_come_from_the_environment(compose: dict[str, Any], name: str) -> None:
    """A setting without a default (a secret) is passed as ``${VAR:?message}``: compose refuses
    to start without it, and no value of it is ever committed here."""
    cls = SETTINGS[name]
    prefix = str(cls.model_config.get("env_prefix", ""))
    env = environment(service(compose, name))
    for field, info in cls.model_fields.items():
        if not info.is_required():
            continue
        key = f"{prefix}{field.upper()}"
        assert key in env, f"{name}: compose does not set {key}, which has no default"
        assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", env[key]), (
            f"{name}: {key} must come from the environment as ${{VAR:?message}}, not {env[key]!r}"
        )


def test_intake_takes_its_id_secret_from_the_environment(compose: dict[str, Any]) -> None:
    assert IntakeSettings.model_fields["id_secret"].is_required()
    value = environment(service(compose, "intake"))["HOIAM_INTAKE_ID_SECRET"]
    assert value.startswith("${HOIAM_INTAKE_ID_SECRET:?"), value


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_kafka_bootstrap_is_the_compose_broker(
    compose: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    advertised_hosts = {}
    for kafka in brokers(compose):
        advertised = environment(service(compose, kafka))["KAFKA_ADVERTISED_LISTENERS"]
        for listener in filter(None, advertised.split(",")):
            advertised_hosts[urlsplit(listener.strip()).netloc] = kafka
    settings = settings_from_compose(compose, name, monkeypatch)
    servers = [server.strip() for server in settings.kafka_bootstrap_servers.split(",")]
    for server in servers:
        assert server in advertised_hosts, f"{name}: {server} not in {sorted(advertised_hosts)}"
        assert server.split(":")[0] == advertised_hosts[server], f"{name}: {server}"
    # Any broker answers a bootstrap, but naming them all survives one being down at start.
    assert {advertised_hosts[s] for s in servers} == set(brokers(compose)), name


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_mongo_url_is_the_compose_replica_set(
    compose: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    mongo = service_with_image(compose, "mongo")
    settings = settings_from_compose(compose, name, monkeypatch)
    hosts = settings.mongo_url.hosts()
    assert [host["host"] for host in hosts] == [mongo], f"{name}: {settings.mongo_url}"
    assert all(host["port"] in (None, 27017) for host in hosts), f"{name}: {settings.mongo_url}"
    command = [str(part) for part in service(compose, mongo).get("command", [])]
    replica_set = parse_qs(settings.mongo_url.query or "").get("replicaSet", [None])[0]
    if replica_set is not None:
        assert "--replSet" in command, f"{name} names replica set {replica_set}; mongo runs none"
        assert command[command.index("--replSet") + 1] == replica_set


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_published_port_is_the_http_port(
    compose: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_from_compose(compose, name, monkeypatch)
    svc = service(compose, name)
    assert container_ports(svc) == [settings.http_port], f"{name} publishes the wrong port"
    image_port = key_values(svc["build"].get("args")).get("PORT")
    assert image_port == str(settings.http_port), f"{name}: uvicorn would bind {image_port}"


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_built_from_the_dockerfile_for_this_service(compose: dict[str, Any], name: str) -> None:
    build = service(compose, name).get("build")
    assert isinstance(build, dict), f"{name} is not built from this repository"
    context = (DEPLOY / str(build.get("context", "."))).resolve()
    assert context == REPO, f"{name} builds from {context}, not the repository root"
    assert (context / str(build.get("dockerfile", "Dockerfile"))).resolve() == DOCKERFILE
    args = key_values(build.get("args"))
    assert args.get("SERVICE") == name
    declared = set(re.findall(r"^ARG\s+(\w+)", DOCKERFILE.read_text(encoding="utf-8"), re.M))
    assert set(args) <= declared, f"{name} passes build args the Dockerfile never declares"
    factory = importlib.import_module(f"hoiam_{name}.app").create_app
    assert callable(factory)


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_waits_for_healthy_kafka_and_mongo(compose: dict[str, Any], name: str) -> None:
    depends_on = service(compose, name).get("depends_on")
    assert isinstance(depends_on, dict), f"{name} must wait with conditions, not a bare list"
    for backend in (*brokers(compose), service_with_image(compose, "mongo")):
        assert depends_on.get(backend, {}).get("condition") == "service_healthy", (
            f"{name} starts before {backend} is healthy"
        )


@pytest.mark.parametrize("image", ["apache/kafka", "mongo"])
def test_backends_have_healthchecks(compose: dict[str, Any], image: str) -> None:
    for backend in services_with_image(compose, image):
        healthcheck = service(compose, backend).get("healthcheck")
        assert isinstance(healthcheck, dict), f"{backend} has no healthcheck"
        assert healthcheck.get("test"), f"{backend}'s healthcheck runs nothing"
        assert healthcheck.get("disable") is not True


def test_kafka_does_not_auto_create_topics(compose: dict[str, Any]) -> None:
    for kafka in brokers(compose):
        env = environment(service(compose, kafka))
        assert env.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "").lower() == "false", kafka
        assert env.get("KAFKA_PROCESS_ROLES") == "broker,controller", kafka


def test_topics_have_three_replicas_on_three_brokers(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    kafka = brokers(compose)
    for name in SETTINGS:
        settings = settings_from_compose(compose, name, monkeypatch)
        assert settings.kafka_replication_factor == 3, f"{name} asks for fewer replicas"
    assert len(kafka) == 3, f"three replicas need three brokers, compose runs {kafka}"
    envs = [environment(service(compose, b)) for b in kafka]
    assert len({env["KAFKA_NODE_ID"] for env in envs}) == 3, "node ids must differ"
    assert len({env["CLUSTER_ID"] for env in envs}) == 1, "one cluster, one id"
    for broker, env in zip(kafka, envs, strict=True):
        voters = {
            v.split("@")[1].split(":")[0] for v in env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")
        }
        assert voters == set(kafka), f"{broker}'s controller quorum is not the three brokers"
        # The broker's own topics (offsets, transactions) as safe as ours.
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3", broker
        assert env["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"] == "3", broker
        assert env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == "2", broker


def test_notifier_sends_to_the_compose_mail_catcher(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_from_compose(compose, "notifier", monkeypatch)
    assert isinstance(settings, NotifierSettings)
    mail = service(compose, settings.smtp_host)
    assert str(mail.get("image", "")).startswith("axllent/mailpit")
    assert settings.smtp_port == 1025, "mailpit listens for SMTP on 1025"


def test_prometheus_scrapes_every_service(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    mounts = [
        str(volume).split(":")
        for volume in service(compose, "prometheus").get("volumes", [])
        if isinstance(volume, str)
    ]
    sources = [parts[0] for parts in mounts if parts[1:2] == [PROMETHEUS_CONFIG_IN_CONTAINER]]
    assert len(sources) == 1, "prometheus does not mount a prometheus.yml"
    config_path = (DEPLOY / sources[0]).resolve()
    assert config_path.is_file(), f"{config_path} is missing"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    scraped: set[str] = set()
    for job in config.get("scrape_configs", []):
        if job.get("metrics_path", "/metrics") != "/metrics":
            continue
        for static in job.get("static_configs", []):
            scraped.update(static.get("targets", []))
    for name in SETTINGS:
        port = settings_from_compose(compose, name, monkeypatch).http_port
        assert f"{name}:{port}" in scraped, f"prometheus does not scrape {name}:{port}/metrics"


def test_grafana_datasource_is_the_compose_prometheus(compose: dict[str, Any]) -> None:
    service(compose, "grafana")
    datasources = DEPLOY / "grafana/provisioning/datasources/prometheus.yaml"
    config = yaml.safe_load(datasources.read_text(encoding="utf-8"))
    urls = [ds.get("url") for ds in config.get("datasources", []) if ds.get("type") == "prometheus"]
    assert urls == ["http://prometheus:9090"]
    assert 9090 in container_ports(service(compose, "prometheus"))


def test_dockerfile_installs_the_lock_and_runs_as_non_root() -> None:
    assert DOCKERFILE.is_file(), f"{DOCKERFILE} is missing"
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "uv sync --frozen" in text
    assert re.search(r"^FROM python:3\.12-slim|^ARG PYTHON_IMAGE=python:3\.12-slim", text, re.M)
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users, "the image never switches user"
    assert users[-1] not in {"root", "0"}, "the final user is root"
    assert re.search(r"^HEALTHCHECK .*/health", text, re.M | re.S)
    assert "hoiam_${SERVICE}.app:create_app" in text
