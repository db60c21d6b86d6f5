"""Demo data of review rounds. (Filled in by the demo work.)"""


def seed(world) -> None:
    return None
