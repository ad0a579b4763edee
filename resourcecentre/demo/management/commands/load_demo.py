from django.core.management.base import BaseCommand

from resourcecentre.demo.services import demo_admin, demo_load


class Command(BaseCommand):
    help = "Load the demo stories, components, companies and site message (safe to run twice)."

    def handle(self, *args, **options) -> None:
        summary = demo_load()
        username, password = demo_admin()
        self.stdout.write(
            f"Demo data: {summary.stories} stories, {summary.components} components, "
            f"{summary.companies} companies ({summary.created} created now)."
        )
        self.stdout.write(f"Admin login: {username} / {password}")
