"""What ``commsledger serve`` runs behind the HTTP API.

- ``service``: ``Service``, one register shared safely between requests.
- ``concurrency``: the writer gate (503 past a bounded queue) and the pool of read-only registers.
- ``jobs``: the APScheduler wrapper and the scheduled jobs (checkpoints, catch-up, disposition).
- ``background``: long work followed by id (verification, disposition runs) with progress.
- ``metrics``: the Prometheus registry of ``/metrics``.
"""
