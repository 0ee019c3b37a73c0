"""Benchmarks: scripts run on this machine, each with a baseline measured in the same run
(``python -m benchmarks.run``, or ``make bench``); figures go to ``benchmarks/RESULTS.md``."""
