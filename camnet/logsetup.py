"""Logging set-up with a filter that masks credentials in every record."""

from __future__ import annotations

import logging

from camnet.secretstore import mask_text


class MaskCredentials(logging.Filter):
    """Rewrite ``scheme://user:password@`` in a record's message to ``user:***@``."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the fully formatted message in place."""
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class QuietBadRequests(logging.Filter):
    """A malformed HTTP request is the client's error: one WARNING line, not a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Strip the traceback of aiohttp's 4xx protocol errors (bad header, line too long)."""
        exc = record.exc_info[1] if record.exc_info else None
        status = getattr(exc, "code", None)
        if exc is not None and isinstance(status, int) and 400 <= status < 500:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            record.msg, record.args = f"bad request refused: {type(exc).__name__}: {first}", None
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def setup_logging(level: str = "INFO") -> None:
    """Configure the root logger: one line per record, credentials masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskCredentials())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, QuietBadRequests) for f in server_log.filters):
        server_log.addFilter(QuietBadRequests())
