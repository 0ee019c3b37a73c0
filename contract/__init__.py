"""The bottom layer: what every package of commsledger shares and that imports nothing of it.

- ``errors``: the one error hierarchy (each surface maps it in one place).
- ``records``: the communication record and its later events (docs/CONTRACT.md), validated.
- ``progress``: the one progress callback type of long work.
"""
