#!/usr/bin/env bash
# `journal list` with filters on a generated journal (see BENCHMARKS.md,
# « Retrouver une entrée ») — hyperfine, medians; prints figures, asserts nothing.
# Usage: benches/list.sh [ENTRIES]   (default 10000)
# Needs: hyperfine, python3, a release build (cargo build --release).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOURNAL=${JOURNAL:-$ROOT/target/release/journal}
N=${1:-10000}
WORK=$(mktemp -d /tmp/journal-list.XXXXXX)
python3 "$ROOT/benches/gen-journal.py" "$N" "$WORK/projet"
L="$JOURNAL --projet $WORK/projet list"
hyperfine -N --warmup 3 --runs 20 --export-json "$WORK/list.json" \
  -n "list (tout)" "$L" \
  -n "list --depuis 7j --type note" "$L --depuis 7j --type note" \
  -n "list --cherche cadvisor --statut echoue" "$L --cherche cadvisor --statut echoue" \
  -n "list --tag x --auteur y -n 5 --format json" "$L --tag x --auteur y -n 5 --format json"
python3 - "$WORK/list.json" "$N" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{sys.argv[2]} entrées — {r['command']}: médiane {r['median']*1000:.0f} ms, max {r['max']*1000:.0f} ms")
PY
rm -rf "$WORK"
