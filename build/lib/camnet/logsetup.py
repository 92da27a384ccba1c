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


def setup_logging(level: str = "INFO") -> None:
    """Configure the root logger: one line per record, credentials masked."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskCredentials())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
