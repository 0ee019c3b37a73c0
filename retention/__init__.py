"""Retention: how long each record is kept, and its disposal when that is over.

``evaluate`` (the schedule's rules applied to a record: class, retain-until, a trigger awaited),
``state`` and ``replay`` (what retention knows, derived from the ledger), ``holds`` and
``filters`` (legal holds, saved searches), ``review`` (decisions on records due for review),
``report`` (signed disposition reports), ``kinds`` (the ledger entries retention writes). The
runs themselves, over a Register, are ``retention.runs`` and ``retention.disposal``.
"""
