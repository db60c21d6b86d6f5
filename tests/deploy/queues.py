"""The Celery queues the settings route to: the default one and every queue of a route. Every
way of running Tandem (the embedded run, docker-compose, deploy/k8s/) must consume all of them."""

from django.conf import settings


def routed_queues() -> set[str]:
    routes = settings.CELERY_TASK_ROUTES.values()
    return {settings.CELERY_TASK_DEFAULT_QUEUE} | {route["queue"] for route in routes}


def queues_of(command: list[str]) -> set[str]:
    """The queues a `celery … worker` command line consumes (its -Q/--queues); without one a
    worker consumes only the default queue."""
    for flag in ("-Q", "--queues"):
        if flag in command:
            return set(command[command.index(flag) + 1].split(","))
    for part in command:
        if part.startswith("--queues="):
            return set(part.removeprefix("--queues=").split(","))
    return {settings.CELERY_TASK_DEFAULT_QUEUE}
