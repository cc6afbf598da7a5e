from django.db import migrations

from steward.audit.models import audit_payload
from steward.core.chain import GENESIS, entry_hash

BATCH = 2000


def chain_existing_events(apps, schema_editor):
    """Links the rows written before the chain existed, in the order they were written."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    seq, prev, last_id = 0, GENESIS, 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:BATCH])
        if not batch:
            return
        for event in batch:
            seq += 1
            event.seq, event.prev_hash = seq, prev
            event.entry_hash = prev = entry_hash("audit", seq, prev, audit_payload(event))
        AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "entry_hash"])
        last_id = batch[-1].id


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain")]

    operations = [migrations.RunPython(chain_existing_events, migrations.RunPython.noop)]
