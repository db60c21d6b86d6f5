"""Demo data for the cooperation indicators (filled in by the demo seeder work)."""


def seed(world) -> None:
    return None
