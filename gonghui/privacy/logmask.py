"""A log formatter that masks ID and mobile numbers in every line it writes. Defence in depth: code must not log
them at all, and the test run fails when it does (``logscan``); the record itself is left untouched."""

import logging

from .scan import mask_all


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_all(super().format(record))
