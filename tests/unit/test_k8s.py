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
    for name in ("intake", "router", "notifier"):
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
