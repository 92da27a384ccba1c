"""Secrets: the camera-credential key and the session key, and the one place that masks.

A secret comes from an environment variable when set; otherwise it is read from, or on
first run generated into, a file in the data directory with mode 0600.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet, InvalidToken

log = logging.getLogger(__name__)

CREDENTIALS_KEY_ENV = "CAMNET_CREDENTIALS_KEY"
SESSION_KEY_ENV = "CAMNET_SESSION_KEY"
MASK = "***"


@dataclass(frozen=True)
class Secrets:
    """The keys the service needs; never printed."""

    credentials_key: bytes
    session_key: bytes

    def __repr__(self) -> str:
        return "Secrets(***)"


def load_secrets(data_dir: Path) -> Secrets:
    """Return the secrets, generating missing ones into ``data_dir`` (mode 0600)."""
    return Secrets(
        credentials_key=_load_key(CREDENTIALS_KEY_ENV, data_dir / "credentials.key"),
        session_key=_load_key(SESSION_KEY_ENV, data_dir / "session.key"),
    )


def _load_key(env: str, path: Path) -> bytes:
    value = os.environ.get(env, "").strip()
    if value:
        key = value.encode()
    elif path.exists():
        key = path.read_bytes().strip()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Fernet.generate_key()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key + b"\n")
        log.warning("generated a new secret key in %s (mode 0600); keep it with backups", path)
    try:
        Fernet(key)
    except ValueError as exc:
        source = f"environment variable {env}" if value else str(path)
        raise ValueError(f"{source}: not a Fernet key (32 url-safe base64 bytes)") from exc
    return key


class CredentialCipher:
    """Encrypts and decrypts camera passwords at rest (Fernet)."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def encrypt(self, password: str) -> str:
        """Return the stored form of a password."""
        return self._fernet.encrypt(password.encode()).decode()

    def decrypt(self, token: str) -> str:
        """Return the password from its stored form.

        Raises:
            ValueError: the token was made with another key or altered.
        """
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("camera secret cannot be decrypted with this key") from exc

    def __repr__(self) -> str:
        return "CredentialCipher(***)"


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """Split ``rtsp://user:pw@host/path`` into (URL without userinfo, user, password)."""
    from urllib.parse import unquote

    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, sep, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    return clean, unquote(user) or None, unquote(password) if sep else None


# Credentials some cameras take in the URL itself: XMEye/Hikvision-style
# ``?user=admin&password=…`` or ``/user=admin_password=…_channel=1``. Their values are taken
# out (stored encrypted like any password) and replaced by placeholders filled at probe time.
USER_PARAMS = ("user", "username", "usr", "loginuse")
SECRET_PARAMS = ("password", "passwd", "pwd", "pass", "pw", "loginpas")
USER_SLOT, SECRET_SLOT = "{user}", "{password}"
_PARAM = re.compile(
    r"(?P<sep>[?&/_;])(?P<name>" + "|".join(USER_PARAMS + SECRET_PARAMS) + r")=(?P<value>[^&_/;#]*)",
    re.IGNORECASE,
)


def split_param_credentials(url: str) -> tuple[str, str | None, str | None]:
    """Take ``user=``/``password=`` values out of a URL's path or query, leaving placeholders."""
    found: dict[str, str] = {}

    def slot(match: re.Match[str]) -> str:
        name = match["name"].lower()
        kind = "user" if name in USER_PARAMS else "password"
        if match["value"] in (USER_SLOT, SECRET_SLOT, ""):
            return match[0]
        found.setdefault(kind, match["value"])
        return f"{match['sep']}{match['name']}={USER_SLOT if kind == 'user' else SECRET_SLOT}"

    clean = _PARAM.sub(slot, url)
    from urllib.parse import unquote

    user, password = found.get("user"), found.get("password")
    return clean, unquote(user) if user else None, unquote(password) if password else None


def fill_credentials(url: str, username: str | None, password: str | None) -> str:
    """Put stored credentials back into a URL's placeholders (for the camera, never for people)."""
    from urllib.parse import quote

    if USER_SLOT in url:
        url = url.replace(USER_SLOT, quote(username or "", safe=""))
    if SECRET_SLOT in url:
        url = url.replace(SECRET_SLOT, quote(password or "", safe=""))
    return url


def resolve_credentials(url: str, username: str | None, password: str | None
                        ) -> tuple[str, str, str | None]:
    """The one precedence rule for camera credentials, whatever the source (API, CSV, form).

    Credentials come out of the URL (userinfo, or ``user=``/``password=`` in its path or
    query, which become placeholders); an explicit field (not ``None``) wins over the URL's.
    Returns (URL without credentials, user name or ``""``, password or ``None``).
    """
    clean, url_user, url_password = split_credentials(url)
    clean, param_user, param_password = split_param_credentials(clean)
    url_user = url_user or param_user
    url_password = url_password or param_password
    user = username if username is not None else url_user
    return clean, user or "", password if password is not None else url_password


def with_credentials(url: str, username: str | None, password: str | None) -> str:
    """Put credentials into a URL (percent-encoded), for clients that need them inline."""
    from urllib.parse import quote

    if not username:
        return url
    parts = urlsplit(url)
    userinfo = quote(username, safe="")
    if password:
        userinfo += ":" + quote(password, safe="")
    netloc = f"{userinfo}@{parts.netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def mask_url(url: str, username: str | None = None, has_password: bool = False) -> str:
    """Show a URL with any password replaced by ``***`` (and a known user shown)."""
    clean, url_user, url_password = split_credentials(url)
    user = username or url_user
    if not user:
        return clean
    parts = urlsplit(clean)
    shown = user + (":" + MASK if (has_password or url_password) else "")
    return urlunsplit((parts.scheme, f"{shown}@{parts.netloc}", parts.path, parts.query, ""))


_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:@/\s]*):[^@/\s]*@", re.I)


_SECRET_PARAM = re.compile(
    r"(?P<head>[?&/_;](?:" + "|".join(SECRET_PARAMS) + r")=)(?P<value>[^&_/;#\s]*)", re.IGNORECASE)


def mask_text(text: str) -> str:
    """Mask ``user:password@`` and ``password=…`` URL parameters in any text (logs, errors)."""
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    return _SECRET_PARAM.sub(lambda m: m["head"] + (m["value"] if m["value"] == SECRET_SLOT else MASK),
                             text)


def mask_endpoint(url: str) -> str:
    """Show only scheme, host and port of a URL whose path or query may hold a token."""
    if not url:
        return url
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}/{MASK}"


SECRET_KEYS = frozenset({"password", "secret_enc", "password_hash", "token", "token_hash"})


def mask_values(value: Any) -> Any:
    """Deep-copy a value with secret keys replaced by ``***`` and URL credentials masked."""
    if isinstance(value, dict):
        return {k: (MASK if k in SECRET_KEYS and v else mask_values(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_values(v) for v in value]
    if isinstance(value, str):
        return mask_text(value)
    return value
