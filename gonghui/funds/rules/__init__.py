"""The rule engine (智能监控): the built-in rules (``builtin``), custom rules (``custom``) and the scans
(``engine``). ``scan`` and ``scan_incremental`` are the entry points the tick sweep, the journal import, the screens
and the benchmark call."""

from .engine import ScanResult, close_reversed, scan, scan_after_import, scan_incremental  # noqa: F401
