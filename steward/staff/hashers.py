"""Password hashing parameters."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~16 ms per login
    here. Django's default (100 MiB, 8 lanes) costs ~0.4 s and 100 MiB per concurrent login,
    which turns a burst of logins into a memory exhaustion; login throttling covers guessing.
    Hashes made with other parameters are re-hashed at the next successful login."""

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
