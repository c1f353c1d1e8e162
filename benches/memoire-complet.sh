#!/usr/bin/env bash
# Where the memory of a full build goes (BENCHMARKS.md, section 15):
# `journal -v build --complet` on a copy of a realistic journal
# (benches/gen-journal-reel.py), under GNU time (wall, CPU, peak), with its
# resident memory sampled every 0.25 s from /proc so that the peak can be
# placed in a phase (reading and generation, rendering, search index: the
# `-v` line gives their durations).
# Usage: benches/memoire-complet.sh PROJECT [RUNS]   (JOURNAL=… another binary)
# PROJECT is modified (its book/ is rebuilt): use a copy (cp -a).
# Needs: GNU time, a release build. Prints figures; asserts nothing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOURNAL=${JOURNAL:-$ROOT/target/release/journal}
PROJECT=${1:?usage : benches/memoire-complet.sh PROJET [ESSAIS]}
RUNS=${2:-1}
"$JOURNAL" --version
for i in $(seq 1 "$RUNS"); do
  samples=$(mktemp)
  timing=$(mktemp)
  /usr/bin/time -f "%e s, CPU %U + %S s, pic %M Kio" -o "$timing" \
    "$JOURNAL" --projet "$PROJECT" -v build --complet >/dev/null 2>"$samples.err" &
  tpid=$!
  # The journal process is GNU time's child.
  pid=""
  while [ -z "$pid" ] && kill -0 "$tpid" 2>/dev/null; do
    pid=$(pgrep -P "$tpid" || true)
    sleep 0.05
  done
  start=$(date +%s.%N)
  while [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; do
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [ -n "$rss" ] && echo "$(echo "$(date +%s.%N) - $start" | bc) $rss" >>"$samples"
    sleep 0.25
  done
  wait "$tpid" || true
  echo "== essai $i : $(cat "$timing")"
  grep -h "durées" "$samples.err" || true
  # The resident memory over time, one line per second: « s Mio ».
  awk '{s=int($1); if ($2 > m[s]) m[s]=$2; if (s > last) last=s}
       END {for (t = 0; t <= last; t++) if (t in m) printf "%d s %d Mio\n", t, m[t]/1024}' "$samples" |
    paste -sd ';' | sed 's/;/ ; /g'
  rm -f "$samples" "$samples.err" "$timing"
done
