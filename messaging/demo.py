"""Demo data for the hub (filled in by the demo work)."""


def seed(world) -> None:
    return None
