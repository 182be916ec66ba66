"""Personal-information rights under PIPL: what the system holds about a worker, export, deletion, retention."""
