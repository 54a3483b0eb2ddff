"""Text sealed at rest with a key derived from the app's SECRET_KEY: Fernet (AES-128-CBC and HMAC-SHA256) under
an HKDF-SHA256 key per purpose, so one SECRET_KEY gives unrelated keys to unrelated uses."""
import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "fernet:"  # what tells a sealed text from one stored before sealing began


@lru_cache(maxsize=16)
def _fernet(secret_key, purpose):
    secret = secret_key if isinstance(secret_key, bytes) else str(secret_key).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"mentorship:{purpose}".encode()).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text, secret_key, purpose):
    return PREFIX + _fernet(secret_key, purpose).encrypt(text.encode()).decode("ascii")


def is_sealed(stored):
    return stored.startswith(PREFIX)


def unseal(stored, secret_key, purpose):
    """The text `seal` was given, or None when it was sealed under another key (SECRET_KEY was rotated)."""
    try:
        return _fernet(secret_key, purpose).decrypt(stored.removeprefix(PREFIX).encode("ascii")).decode()
    except (InvalidToken, ValueError):
        return None
