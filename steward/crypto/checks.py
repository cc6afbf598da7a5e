"""System checks of the encryption set-up. Without a database: the master keys load (the
app's ready() already refuses to start otherwise). With `steward check --database default`:
every master key the data keys are wrapped under is present and opens them."""

from django.core import checks
from django.db import DatabaseError

from steward.crypto.errors import MasterKeyError


@checks.register("steward")
def master_keys_usable(app_configs=None, databases=None, **kwargs):
    from steward.crypto.keyring import master_key_problems
    from steward.crypto.master_keys import master_keys

    try:
        master_keys()
    except MasterKeyError as error:
        return [checks.Error(str(error), id="steward.E301")]
    if not databases:
        return []
    try:
        problems = master_key_problems()
    except DatabaseError:
        return []  # no key table yet (before the first migrate): no data key to open
    except MasterKeyError as error:
        return [checks.Error(f"Cannot check the data keys: {error}", id="steward.E302")]
    return [checks.Error(problem, id="steward.E303") for problem in problems]
