#!/bin/bash
# A plain `commsledger ingest` of one input, a baseline tree and this tree in turn, ROUNDS
# times: CPU seconds of the process tree (user + sys, /usr/bin/time), wall, peak RSS.
# The baseline tree is what benchmarks/prepare_cpu.py unpacks (WORK/baseline-REV).
# Usage: benchmarks/ingest_ab.sh INPUT.ndjson BASELINE_TREE WORK [ROUNDS]
set -euo pipefail
IN=$1; BASE=$(realpath "$2"); WORK=$(realpath "$3"); ROUNDS=${4:-2}
HERE=$(realpath "$(dirname "$0")/..")
PY=$HERE/.venv/bin/python
for round in $(seq "$ROUNDS"); do
  for side in baseline current; do
    if [ $side = baseline ]; then TREE=$BASE; else TREE=$HERE; fi
    DATA=$WORK/ab-$side; rm -rf "$DATA"
    load=$(cut -d' ' -f1 /proc/loadavg)
    (cd "$TREE" && PYTHONPATH=$TREE /usr/bin/time -f "%U %S %e %M" -o "$WORK/ab-$side.time" "$PY" -c \
      "import sys, commsledger.cli as c; assert c.__file__.startswith('$TREE'); sys.argv[0] = 'commsledger'; sys.exit(c.main())" \
      --data "$DATA" --json ingest "$IN" > "$WORK/ab-$side.json")
    read -r u s e m < "$WORK/ab-$side.time"
    echo "$side round $round: CPU-s $(echo "$u + $s" | bc) (user $u sys $s), wall $e s, peak RSS $((m / 1024)) MB, load at start $load, $(head -c 40 "$WORK/ab-$side.json")"
  done
done
