from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


class InventoryConfig(AppConfig):
    name = "steward.inventory"
    label = "inventory"

    def ready(self):
        from steward.inventory import checks  # noqa: F401  (registers the checks)

        # Like Django's content types and permissions: reference rows derived from code are
        # brought in step after every migrate (and after a test flush), whichever command
        # ran it. See docs/decisions/0009-taxonomy-as-data.md.
        post_migrate.connect(_sync_taxonomy, sender=self)


def _sync_taxonomy(sender, verbosity=1, apps=global_apps, **kwargs):
    # `apps` is the migration state after `migrate`; `flush` sends no state (the live one).
    try:
        apps.get_model("inventory", "DataCategory")
        apps.get_model("audit", "AuditEvent")
    except LookupError:
        return  # migrated back below the tables the sync writes
    from steward.inventory.services import taxonomy_sync

    result = taxonomy_sync()
    if verbosity >= 2 and result.changed:
        print(
            f"Taxonomy: {len(result.created)} created, {len(result.updated)} updated, "
            f"{len(result.retired)} retired."
        )
