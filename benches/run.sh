#!/usr/bin/env bash
# Benchmarks of `journal` (see BENCHMARKS.md):
#   1. `journal note` with 10,000 existing entries vs an empty journal;
#   2. `journal build` vs the mdBook 0.5.4 CLI on the same generated sources,
#      at 1,000 and 10,000 entries (and 5,000, for linearity).
# Usage: benches/run.sh [WORKDIR]
# Needs: hyperfine, python3, a release build (cargo build --release) and the
# mdBook CLI (MDBOOK=/path/to/mdbook, default: mdbook on PATH).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOURNAL=${JOURNAL:-$ROOT/target/release/journal}
MDBOOK=${MDBOOK:-mdbook}
WORK=${1:-$(mktemp -d /tmp/journal-bench.XXXXXX)}
GEN="python3 $ROOT/benches/gen-journal.py"
mkdir -p "$WORK"
echo "répertoire de travail : $WORK"
"$JOURNAL" --version
"$MDBOOK" --version

median() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(" ".join("%.4f" % x["median"] for x in r))' "$1"; }

# 1. journal note: empty journal vs 10,000 entries.
rm -rf "$WORK/note-vide" "$WORK/note-10000"
mkdir -p "$WORK/note-vide"
$GEN 10000 "$WORK/note-10000"
hyperfine -N --warmup 10 --runs 100 --export-json "$WORK/note.json" \
  -n "note, journal vide" "$JOURNAL --projet $WORK/note-vide note mesure" \
  -n "note, 10000 entrées" "$JOURNAL --projet $WORK/note-10000 note mesure"
read -r vide dix <<<"$(median "$WORK/note.json")"
python3 -c "print('note : médiane vide %.2f ms, 10000 entrées %.2f ms, rapport %.3f (cible <= 1,1)' % ($vide*1e3, $dix*1e3, $dix/$vide))"

# 2. journal build vs mdbook build, and linearity.
for n in 1000 5000 10000; do
  rm -rf "$WORK/build-$n"
  $GEN "$n" "$WORK/build-$n"
  "$JOURNAL" --projet "$WORK/build-$n" -q build >/dev/null   # writes book/src + book.toml
  runs=5; [ "$n" -ge 5000 ] && runs=3
  hyperfine --warmup 1 --runs "$runs" --export-json "$WORK/build-$n.json" \
    -n "journal build ($n)" "$JOURNAL --projet $WORK/build-$n -q build" \
    -n "mdbook build ($n)" "$MDBOOK build $WORK/build-$n/book"
  read -r j m <<<"$(median "$WORK/build-$n.json")"
  python3 -c "print('build $n : journal %.3f s, mdbook %.3f s, rapport %.3f (cible <= 1,2), %.3f ms/entrée' % ($j, $m, $j/$m, $j*1e3/$n))"
done
