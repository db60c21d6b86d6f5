from django.conf import settings
from django.core.management.base import BaseCommand

from partnership import demo


class Command(BaseCommand):
    help = "Create the demo organisations, people and partnerships (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--large",
            type=int,
            default=0,
            metavar="N",
            help="Also add N benchmark partnerships for the supplier's project leader.",
        )

    def handle(self, *args, **options):
        world = demo.seed()
        if options["large"]:
            added = demo.seed_large(options["large"])
            self.stdout.write(f"Added {added} benchmark partnerships.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(world.orgs)} organisations, "
                f"{len(world.partnerships)} partnerships."
            )
        )
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        width = max(len(persona) for persona, _e, _o in demo.logins())
        for persona, email, _org in demo.logins():
            self.stdout.write(f"  {persona.ljust(width)}  {email}")
        if settings.DEBUG:
            self.stdout.write(f"\nPassword for every demo login: {settings.DEMO_PASSWORD}")
        else:
            self.stdout.write(
                "\nDEBUG is off, so the demo accounts have no password: "
                "use 'Forgot password' to set one."
            )
