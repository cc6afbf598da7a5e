"""`crypto_field` for `steward bench`: microseconds to encrypt and then decrypt one field
value the way a model field does it (serialise, AES-256-GCM under a cached data key with the
table/column/row associated data, base64, and back), against the floor of the bare AESGCM
encrypt+decrypt of the same bytes with the same key object."""

import os
import uuid
from time import perf_counter

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from steward.bench.registry import BenchContext, BenchResult, benchmark, ratio_of_latencies
from steward.crypto.fields import Sealed
from steward.crypto.keyring import keyring as the_keyring
from steward.crypto.keyring import owner_for

VALUE = "Prefers calls after eleven; allergic to penicillin."


@benchmark("crypto_field")
def crypto_field(ctx: BenchContext) -> list[BenchResult]:
    from steward.activities.models import Activity

    rounds = ctx.size(200_000, 20_000)
    field = Activity._meta.get_field("body")
    row_id = uuid.uuid4()
    owner = owner_for("contact", uuid.uuid4())
    key = the_keyring().current_key(owner)
    start = perf_counter()
    for _ in range(rounds):
        sealed = field.seal(VALUE, row_id=row_id, owner=owner, key=key)
        field.open(Sealed(sealed.stored), row_id=row_id)
    value = (perf_counter() - start) / rounds * 1e6
    cipher, plain, aad = AESGCM(os.urandom(32)), VALUE.encode(), b"a" * 40
    start = perf_counter()
    for _ in range(rounds):
        nonce = os.urandom(12)
        cipher.decrypt(nonce, cipher.encrypt(nonce, plain, aad), aad)
    floor = (perf_counter() - start) / rounds * 1e6
    print(f"  crypto_field: {value:.2f} us per encrypt+decrypt ({len(plain)} bytes)")
    return [BenchResult("crypto_field", value, "us", floor, ratio_of_latencies(value, floor))]
