"""deploy/k8s renders with kustomize, every object is valid against the Kubernetes schemas, and
the manifests agree with the services: settings names, ports, groups, topics and partitions.

kustomize is built once by `deploy/local/kustomize.sh` (make setup); kubernetes-validate bundles
the Kubernetes schemas, so nothing here needs a cluster or the network.
"""

import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from hoiam_console.settings import ConsoleSettings
from hoiam_intake.settings import IntakeSettings
from hoiam_notifier.settings import NotifierSettings
from hoiam_router.settings import RouterSettings
from hoiam_shared.kafka import subscription_group
from hoiam_shared.settings import ServiceSettings
from support.asyncapi import wirings

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
KUBERNETES_VERSION = "1.33.0"
RENDERED = ("base", "overlays/production", "overlays/production-with-operators")

SETTINGS: dict[str, type[ServiceSettings]] = {
    "intake": IntakeSettings,
    "router": RouterSettings,
    "notifier": NotifierSettings,
    "console": ConsoleSettings,
}

NOT_BUNDLED = {
    "keda.sh/v1alpha1/ScaledObject": "KEDA's CRD schema is not bundled with kubernetes-validate",
    "kafka.strimzi.io/v1beta2/Kafka": "Strimzi's CRD schemas are not bundled",
    "kafka.strimzi.io/v1beta2/KafkaNodePool": "Strimzi's CRD schemas are not bundled",
    "kafka.strimzi.io/v1beta2/KafkaTopic": "Strimzi's CRD schemas are not bundled",
}
"""Kinds the validator has no schema for; their content is checked by the tests further down."""

Object = dict[str, Any]


@cache
def kustomize() -> str:
    script = REPO / "deploy" / "local" / "kustomize.sh"
    found = subprocess.run(
        ["bash", str(script)], capture_output=True, text=True, check=False, timeout=300
    )
    assert found.returncode == 0, found.stderr
    return found.stdout.strip()


@cache
def render(path: str) -> tuple[Object, ...]:
    built = subprocess.run(
        [kustomize(), "build", str(K8S / path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert built.returncode == 0, built.stderr
    return tuple(doc for doc in yaml.safe_load_all(built.stdout) if doc)


def kind_of(obj: Object) -> str:
    return f"{obj['apiVersion']}/{obj['kind']}"


def of_kind(objects: tuple[Object, ...], kind: str) -> dict[str, Object]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def containers(objects: tuple[Object, ...]) -> Iterator[tuple[str, Object]]:
    for name, deployment in of_kind(objects, "Deployment").items():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            yield name, container


@pytest.mark.parametrize("path", RENDERED)
def test_every_object_is_valid_for_kubernetes(path: str) -> None:
    problems, unchecked = [], set()
    for obj in render(path):
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            unchecked.add(kind_of(obj))
        except kubernetes_validate.ValidationError as error:
            problems.append(f"{obj['kind']}/{obj['metadata']['name']}: {error.message}")
    assert problems == []
    # Only the operators' kinds go unchecked, and each says why (NOT_BUNDLED).
    assert unchecked <= set(NOT_BUNDLED)


def test_a_broken_manifest_is_refused() -> None:
    (deployment, *_) = of_kind(render("base"), "Deployment").values()
    broken = yaml.safe_load(yaml.safe_dump(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["port"] = []
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("path", RENDERED)
def test_every_variable_names_a_setting_and_secrets_are_references(path: str) -> None:
    objects = render(path)
    assert not of_kind(objects, "Secret"), "secrets are created by the operator, not shipped"
    for name, container in containers(objects):
        service = container["name"]
        prefix = f"HOIAM_{service.upper()}_"
        fields = {f.upper() for f in SETTINGS[service].model_fields}
        for variable in container["env"]:
            assert variable["name"].startswith(prefix), (name, variable["name"])
            assert variable["name"].removeprefix(prefix) in fields, (name, variable["name"])
            if any(w in variable["name"] for w in ("SECRET", "TOKEN", "PASSWORD", "MONGO_URL")):
                assert "secretKeyRef" in variable.get("valueFrom", {}), (name, variable["name"])


@pytest.mark.parametrize("path", RENDERED)
def test_probes_resources_and_ports(path: str) -> None:
    for name, container in containers(render(path)):
        port = SETTINGS[container["name"]].model_fields["http_port"].default
        env = {v["name"]: v.get("value") for v in container["env"]}
        assert env[f"HOIAM_{container['name'].upper()}_HTTP_PORT"] == str(port), name
        assert container["ports"] == [{"name": "http", "containerPort": port}], name
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"] == {"path": "/health", "port": "http"}, name
        assert set(container["resources"]) == {"requests", "limits"}, name


@pytest.mark.parametrize("path", ["base", "overlays/production"])
def test_each_scaled_deployment_has_a_budget_and_an_autoscaler_within_the_partitions(
    path: str,
) -> None:
    objects = render(path)
    kafka = of_kind(objects, "ConfigMap")["hoiam-kafka"]["data"]
    workers = int(kafka["partitions"]) // int(kafka["consumers"])
    autoscalers = of_kind(objects, "HorizontalPodAutoscaler")
    budgets = of_kind(objects, "PodDisruptionBudget")
    for name in SETTINGS:
        assert autoscalers[name]["spec"]["scaleTargetRef"]["name"] == name
        assert autoscalers[name]["spec"]["maxReplicas"] <= workers, name
        assert budgets[name]["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}


def test_keda_scales_on_the_lag_of_every_subscription() -> None:
    objects = render("overlays/production-with-operators")
    assert not of_kind(objects, "HorizontalPodAutoscaler"), "KEDA's HPA would fight base's"
    scaled = of_kind(objects, "ScaledObject")
    for service, (wiring, settings) in wirings().items():
        triggers = [
            t["metadata"] for t in scaled[service]["spec"]["triggers"] if t["type"] == "kafka"
        ]
        assert {(t["consumerGroup"], t["topic"]) for t in triggers} == {
            (subscription_group(group_id=settings.kafka_group_id, title=s.title), s.topic)
            for s in wiring.subscriptions
        }
        assert scaled[service]["spec"]["scaleTargetRef"]["name"] == service


def test_strimzi_topics_are_the_services_own_at_the_configured_partitions() -> None:
    objects = render("overlays/production-with-operators")
    kafka = of_kind(objects, "ConfigMap")["hoiam-kafka"]["data"]
    expected = ServiceSettings(
        kafka_partitions=int(kafka["partitions"]),
        kafka_replication_factor=int(kafka["replication_factor"]),
    )
    topics = {t["spec"]["topicName"]: t["spec"] for t in of_kind(objects, "KafkaTopic").values()}
    assert {name: spec["config"] for name, spec in topics.items()} == expected.topic_configs()
    assert {(s["partitions"], s["replicas"]) for s in topics.values()} == {
        (expected.kafka_partitions, expected.kafka_replication_factor)
    }
    (cluster,) = of_kind(objects, "Kafka").values()
    namespace = cluster["metadata"]["namespace"]
    address = f"{cluster['metadata']['name']}-kafka-bootstrap.{namespace}.svc.cluster.local"
    assert of_kind(objects, "Service")["kafka"]["spec"]["externalName"] == address


def env_of(objects: tuple[Object, ...], deployment: str) -> dict[str, Object]:
    (container,) = of_kind(objects, "Deployment")[deployment]["spec"]["template"]["spec"][
        "containers"
    ]
    return {v["name"].split("_", 2)[2]: v for v in container["env"]}


def config_value(objects: tuple[Object, ...], variable: Object) -> str:
    ref = variable["valueFrom"]["configMapKeyRef"]
    value: str = of_kind(objects, "ConfigMap")[ref["name"]]["data"][ref["key"]]
    return value


def test_every_service_has_its_deployment_and_service() -> None:
    objects = render("base")
    deployments, services = of_kind(objects, "Deployment"), of_kind(objects, "Service")
    for name in SETTINGS:
        assert name in deployments, name
        port = SETTINGS[name].model_fields["http_port"].default
        assert services[name]["spec"]["ports"][0]["port"] == port, name
        assert services[name]["spec"]["selector"] == {"app.kubernetes.io/component": name}


@pytest.mark.parametrize("path", RENDERED)
def test_the_console_signs_with_the_key_intake_and_the_router_check(path: str) -> None:
    objects = render(path)
    console = env_of(objects, "console")
    ref = console["PERSON_TOKEN_SECRET"]["valueFrom"]["secretKeyRef"]
    # The console cannot start without it, so its reference is not optional.
    assert not ref.get("optional", False)
    for upstream in ("intake", "router"):
        theirs = env_of(objects, upstream)["PERSON_TOKEN_SECRET"]["valueFrom"]["secretKeyRef"]
        assert (theirs["name"], theirs["key"]) == (ref["name"], ref["key"]), upstream


@pytest.mark.parametrize("path", RENDERED)
def test_the_console_calls_intake_and_the_router_through_their_services(path: str) -> None:
    objects = render(path)
    console, services = env_of(objects, "console"), of_kind(objects, "Service")
    for upstream in ("intake", "router"):
        url = config_value(objects, console[f"{upstream.upper()}_URL"])
        port = services[upstream]["spec"]["ports"][0]["port"]
        assert url == f"http://{upstream}:{port}", upstream
        assert ConsoleSettings.model_validate({f"{upstream}_url": url})


def test_the_session_cookie_is_secure_in_production_only_over_tls() -> None:
    def secure(path: str) -> bool:
        objects = render(path)
        value = config_value(objects, env_of(objects, "console")["COOKIE_SECURE"])
        return ConsoleSettings.model_validate({"cookie_secure": value}).cookie_secure

    assert secure("base") is False
    assert secure("overlays/production") is True
    assert secure("overlays/production-with-operators") is True


def test_both_notifier_deployments_take_the_links_from_configuration() -> None:
    objects = render("overlays/production")
    for deployment in ("notifier", "notifier-flush"):
        env = env_of(objects, deployment)
        for setting in ("CONSOLE_BASE_URL", "PUBLIC_BASE_URL"):
            assert env[setting]["valueFrom"]["configMapKeyRef"]["name"] == "hoiam-notifier"
            # Empty in the manifests until an overlay sets the outside address: no link.
            assert config_value(objects, env[setting]) == ""
