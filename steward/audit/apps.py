from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "steward.audit"
    label = "audit"

    def ready(self):
        from steward.audit import checks  # noqa: F401  (registers the checks)

        # After every migrate (and test flush), whichever command ran it: the chained tables
        # of every installed app refuse UPDATE and DELETE on PostgreSQL.
        post_migrate.connect(_install_append_only_triggers, sender=self)


def _install_append_only_triggers(sender, using="default", **kwargs):
    from steward.audit.ledger import append_only_triggers_install

    append_only_triggers_install(using=using)
