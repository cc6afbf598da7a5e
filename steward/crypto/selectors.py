"""What `steward keys status` and the data map show about the keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from steward.crypto.choices import DataKeyState
from steward.crypto.keyring import keyring, master_key_problems
from steward.crypto.master_keys import master_keys
from steward.crypto.models import DataKey, ReencryptionRun
from steward.crypto.router import keys_database


@dataclass
class KeyStatus:
    provider: str
    master_key_ids: tuple[str, ...]
    current_master_key_id: str
    data_keys_by_master_key: dict[str, int]
    data_keys_by_state: dict[str, int]
    keys_database: str
    cached_keys: int
    problems: list[str] = field(default_factory=list)
    last_runs: list[ReencryptionRun] = field(default_factory=list)

    @property
    def rotation_pending(self) -> int:
        return sum(
            n for k, n in self.data_keys_by_master_key.items() if k != self.current_master_key_id
        )


def key_status() -> KeyStatus:
    provider = master_keys()
    keys = DataKey.objects.using(keys_database())
    by_master = dict(
        keys.filter(wrapped__isnull=False)
        .values_list("master_key_id")
        .annotate(n=Count("id"))
        .order_by("master_key_id")
    )
    by_state = {state: 0 for state in DataKeyState.values}
    by_state.update(keys.values_list("state").annotate(n=Count("id")).order_by("state"))
    return KeyStatus(
        provider=type(provider).__name__,
        master_key_ids=provider.key_ids(),
        current_master_key_id=provider.current_key_id(),
        data_keys_by_master_key=by_master,
        data_keys_by_state=by_state,
        keys_database=keys_database(),
        cached_keys=keyring().cached_count(),
        problems=master_key_problems(),
        last_runs=list(ReencryptionRun.objects.using(keys_database())[:10]),
    )
