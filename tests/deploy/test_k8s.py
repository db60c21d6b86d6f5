"""deploy/k8s/: every document validates against the newest Kubernetes schema that
kubernetes-validate ships (strict: an unknown or misspelt field fails), and the manifests hold
together — probes, one beat, secrets only by reference, the budget and the autoscaler on the web
pods, a worker for every routed queue, the migrate Job running the image's migrations."""

import re
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.deploy.queues import queues_of, routed_queues

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
FILES = sorted(K8S.glob("*.yaml"))
SECRET = "tandem-secrets"
# Names that carry a secret wherever they appear: their value always comes from the Secret.
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY|DATABASE_URL|REDIS_URL")


def _documents() -> list[tuple[str, dict]]:
    return [
        (path.name, doc)
        for path in FILES
        for doc in yaml.safe_load_all(path.read_text())
        if doc is not None
    ]


DOCUMENTS = _documents()


def _all(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for _file, doc in DOCUMENTS if doc["kind"] == kind}


def _one(kind: str, name: str) -> dict:
    return _all(kind)[name]


def _pod(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def _container(workload: dict) -> dict:
    [container] = _pod(workload)["containers"]
    return container


# A CronJob's pods are those of its job template, checked like every other workload's.
WORKLOADS = {
    **_all("Deployment"),
    **_all("Job"),
    **{name: doc["spec"]["jobTemplate"] for name, doc in _all("CronJob").items()},
}


def test_the_manifests_are_all_there():
    kinds = sorted((doc["kind"], doc["metadata"]["name"]) for _file, doc in DOCUMENTS)
    assert kinds == [
        ("ConfigMap", "tandem-config"),
        ("CronJob", "tandem-backup"),
        ("Deployment", "tandem-beat"),
        ("Deployment", "tandem-web"),
        ("Deployment", "tandem-worker"),
        ("Deployment", "tandem-worker-mail"),
        ("Deployment", "tandem-worker-reports"),
        ("HorizontalPodAutoscaler", "tandem-web"),
        ("Ingress", "tandem"),
        ("Job", "tandem-migrate"),
        ("Namespace", "tandem"),
        ("PersistentVolumeClaim", "tandem-backups"),
        ("PodDisruptionBudget", "tandem-web"),
        ("Service", "tandem-web"),
    ]
    assert "Secret" not in {doc["kind"] for _file, doc in DOCUMENTS}  # the operator makes it
    namespaced = [doc for _file, doc in DOCUMENTS if doc["kind"] != "Namespace"]
    assert {doc["metadata"]["namespace"] for doc in namespaced} == {"tandem"}


@pytest.mark.parametrize(
    "document",
    [doc for _file, doc in DOCUMENTS],
    ids=[f"{file}:{doc['kind']}/{doc['metadata']['name']}" for file, doc in DOCUMENTS],
)
def test_each_document_is_valid_for_the_newest_kubernetes(document):
    version = kubernetes_validate.latest_version()
    assert kubernetes_validate.validate(document, version, strict=True) == ".".join(
        version.split(".")[:2]
    )


def test_the_web_pods_are_probed_on_healthz_and_readyz_with_an_allowed_host():
    web = _container(_one("Deployment", "tandem-web"))
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["startupProbe"]["httpGet"]["path"] == "/healthz"
    allowed = _one("ConfigMap", "tandem-config")["data"]["ALLOWED_HOSTS"].split(",")
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        headers = {h["name"]: h["value"] for h in web[probe]["httpGet"]["httpHeaders"]}
        assert headers["Host"] in allowed  # the kubelet's own Host (the pod's IP) is refused
        assert web[probe]["httpGet"]["port"] == web["ports"][0]["name"]
    assert "command" not in web  # the image's command: gunicorn


def test_beat_runs_once_and_is_replaced_not_rolled():
    beat = _one("Deployment", "tandem-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    assert _container(beat)["command"][:4] == ["celery", "-A", "config", "beat"]
    beats = [name for name, w in WORKLOADS.items() if "beat" in _container(w).get("command", [])]
    assert beats == ["tandem-beat"]


def test_the_workers_consume_every_routed_queue_each_in_its_own_deployment():
    workers = {
        name: _container(w)["command"]
        for name, w in WORKLOADS.items()
        if "worker" in _container(w).get("command", [])
    }
    assert set(workers) == {"tandem-worker", "tandem-worker-mail", "tandem-worker-reports"}
    consumed = [queues_of(command) for command in workers.values()]
    assert set().union(*consumed) == routed_queues()
    assert all(len(queues) == 1 for queues in consumed)  # scaled and sized per queue


def test_the_migrate_job_runs_the_images_migrations_once():
    job = _one("Job", "tandem-migrate")
    assert _container(job)["command"] == ["python", "manage.py", "migrate", "--no-input"]
    assert _pod(job)["restartPolicy"] == "Never"
    migrating = [
        name for name, w in WORKLOADS.items() if "migrate" in _container(w).get("command", [])
    ]
    assert migrating == ["tandem-migrate"]


def test_the_backup_runs_nightly_once_at_a_time_into_its_volume():
    cron = _one("CronJob", "tandem-backup")
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    job = WORKLOADS["tandem-backup"]
    command = " ".join(_container(job)["command"])
    assert "manage.py backup /backups/" in command.replace('"', "")
    volumes = {v["name"]: v for v in _pod(job)["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in _container(job)["volumeMounts"]}
    claim = volumes[mounts["/backups"]]["persistentVolumeClaim"]["claimName"]
    assert claim in _all("PersistentVolumeClaim")


def test_every_workload_runs_one_image_with_a_placeholder_tag():
    images = {_container(w)["image"] for w in WORKLOADS.values()}
    assert images == {"registry.example.org/tandem:RELEASE_TAG"}


def test_secrets_only_by_reference_and_the_same_in_every_workload():
    config = _one("ConfigMap", "tandem-config")["data"]
    assert not [key for key in config if SECRET_NAME.search(key)]
    references = set()
    for name, workload in WORKLOADS.items():
        container = _container(workload)
        assert container["envFrom"] == [{"configMapRef": {"name": "tandem-config"}}]
        assert not any("secretRef" in source for source in container["envFrom"])
        from_secret = {}
        for variable in container["env"]:
            reference = variable.get("valueFrom", {}).get("secretKeyRef")
            if SECRET_NAME.search(variable["name"]):
                assert reference is not None, (name, variable)  # never a literal value
            if reference is not None:
                assert "value" not in variable and reference["name"] == SECRET
                assert reference["key"] == variable["name"]
                from_secret[variable["name"]] = reference.get("optional", False)
        references.add(tuple(sorted(from_secret.items())))
    [keys] = references  # every workload reads the same keys, so none lacks one
    required = {key for key, optional in keys if not optional}
    assert required == {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"}


def test_the_pods_run_unprivileged_on_a_read_only_root():
    for name, workload in WORKLOADS.items():
        pod, container = _pod(workload), _container(workload)
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True, name
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert "emptyDir" in volumes[mounts["/tmp"]], name
        assert container["resources"]["requests"]["cpu"], name
    web = _container(_one("Deployment", "tandem-web"))
    env = {v["name"]: v.get("value") for v in web["env"]}
    mounts = {m["mountPath"]: m["name"] for m in web["volumeMounts"]}
    volumes = {v["name"]: v for v in _pod(_one("Deployment", "tandem-web"))["volumes"]}
    assert "emptyDir" in volumes[mounts[env["PROMETHEUS_MULTIPROC_DIR"]]]


def _selects(selector: dict, labels: dict) -> bool:
    return selector.items() <= labels.items()


def test_budget_service_and_autoscaler_aim_at_the_web_pods_only():
    web = _one("Deployment", "tandem-web")
    assert "replicas" not in web["spec"]  # the autoscaler owns the count
    labels = web["spec"]["template"]["metadata"]["labels"]
    pdb = _one("PodDisruptionBudget", "tandem-web")["spec"]
    service = _one("Service", "tandem-web")["spec"]
    for selector in (pdb["selector"]["matchLabels"], service["selector"]):
        assert _selects(selector, labels)
        others = [w for name, w in WORKLOADS.items() if name != "tandem-web"]
        assert not any(
            _selects(selector, w["spec"]["template"]["metadata"]["labels"]) for w in others
        )
    hpa = _one("HorizontalPodAutoscaler", "tandem-web")["spec"]
    assert hpa["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "tandem-web",
    }
    assert hpa["minReplicas"] > pdb["minAvailable"]  # a drain can always take one pod
    [metric] = hpa["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert _container(web)["resources"]["requests"]["cpu"]  # what Utilization is a share of
    [rule] = _one("Ingress", "tandem")["spec"]["rules"]
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "tandem-web"
    assert backend["port"]["name"] in {p["name"] for p in service["ports"]}
    assert rule["host"] in _one("ConfigMap", "tandem-config")["data"]["ALLOWED_HOSTS"].split(",")
