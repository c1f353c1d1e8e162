#!/usr/bin/env bash
# Benchmarks of `journal` (see BENCHMARKS.md):
#   1. `journal note` with 10,000 existing entries vs an empty journal;
#   2. `journal build --complet` (everything rendered and indexed) at 1,000,
#      10,000 and 50,000 entries (10 a day), with peak memory;
#   3. the rebuild after one new note on the 10,000-entry journal;
#   4. `journal check` at the same sizes;
#   5. the mdBook CLI on the same generated books, for comparison.
# Usage: benches/run.sh [WORKDIR]
# Needs: hyperfine, python3, GNU time (/usr/bin/time), a release build
# (cargo build --release); the mdBook CLI for part 5 (MDBOOK=/path/to/mdbook,
# default: mdbook on PATH; part 5 is skipped without it).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOURNAL=${JOURNAL:-$ROOT/target/release/journal}
MDBOOK=${MDBOOK:-mdbook}
SIZES=${SIZES:-"1000 10000 50000"}
WORK=${1:-$(mktemp -d /tmp/journal-bench.XXXXXX)}
GEN="python3 $ROOT/benches/gen-journal.py"
mkdir -p "$WORK"
echo "répertoire de travail : $WORK"
"$JOURNAL" --version

median() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(" ".join("%.4f" % x["median"] for x in r))' "$1"; }
peak_mib() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}'; }

# 1. journal note: empty journal vs 10,000 entries.
rm -rf "$WORK/note-vide" "$WORK/note-10000"
mkdir -p "$WORK/note-vide"
$GEN 10000 "$WORK/note-10000"
hyperfine -N --warmup 10 --runs 100 --export-json "$WORK/note.json" \
  -n "note, journal vide" "$JOURNAL --projet $WORK/note-vide note mesure" \
  -n "note, 10000 entrées" "$JOURNAL --projet $WORK/note-10000 note mesure"
read -r vide dix <<<"$(median "$WORK/note.json")"
python3 -c "print('note : médiane vide %.2f ms, 10000 entrées %.2f ms, rapport %.3f (cible <= 1,1)' % ($vide*1e3, $dix*1e3, $dix/$vide))"

# 2. and 4. Full builds and checks, 10 entries a day.
declare -A FULL
for n in $SIZES; do
  dir="$WORK/build-$n"
  rm -rf "$dir"
  $GEN "$n" "$dir" 10
  "$JOURNAL" --projet "$dir" -q build >/dev/null   # first build: book/ exists
  runs=5; [ "$n" -ge 10000 ] && runs=3; [ "$n" -ge 50000 ] && runs=1
  hyperfine --warmup 0 --runs "$runs" --export-json "$WORK/build-$n.json" \
    -n "journal build --complet ($n)" "$JOURNAL --projet $dir -q build --complet" \
    -n "journal check ($n)" "$JOURNAL --projet $dir -q check"
  read -r b c <<<"$(median "$WORK/build-$n.json")"
  FULL[$n]=$b
  mem=$(peak_mib "$JOURNAL" --projet "$dir" -q build --complet)
  "$JOURNAL" --projet "$dir" -v build --complet 2>&1 >/dev/null | grep -E "durées|mois rendus" || true
  python3 -c "print('build --complet $n : %.2f s, pic %s Mio ; check %.2f s' % ($b, '$mem', $c))"
done
if [ -n "${FULL[1000]:-}" ] && [ -n "${FULL[10000]:-}" ]; then
  python3 -c "print('rapport 10000 / 1000 : %.2f (cible <= 12)' % (${FULL[10000]}/${FULL[1000]}))"
fi

# 3. One more note, then `journal build` (only what changed is rendered).
dir="$WORK/build-10000"
if [ -d "$dir" ]; then
  "$JOURNAL" --projet "$dir" -q build >/dev/null
  hyperfine --warmup 1 --runs 10 --export-json "$WORK/incremental.json" \
    --prepare "$JOURNAL --projet $dir -q note 'Mesure incrémentale' --partie partie-6" \
    -n "journal build après une note (10000)" "$JOURNAL --projet $dir -q build"
  read -r inc <<<"$(median "$WORK/incremental.json")"
  mem=$(peak_mib "$JOURNAL" --projet "$dir" -q build)
  "$JOURNAL" --projet "$dir" -q note "Mesure incrémentale" --partie partie-6
  "$JOURNAL" --projet "$dir" -v build 2>&1 >/dev/null | grep -E "durées|mois rendus" || true
  python3 -c "print('build après une note (10000) : %.2f s (cible <= 2 s), pic %s Mio' % ($inc, '$mem'))"
fi

# 5. The mdBook CLI on the same books (main book and every month book).
if command -v "$MDBOOK" >/dev/null; then
  "$MDBOOK" --version
  for n in $SIZES; do
    dir="$WORK/build-$n"
    [ -d "$dir" ] || continue
    hyperfine --warmup 0 --runs 1 --export-json "$WORK/mdbook-$n.json" \
      -n "mdbook build, tous les livres ($n)" \
      "for b in $dir/book $dir/book/mois/*/; do $MDBOOK build \$b >/dev/null 2>&1; done"
    read -r m <<<"$(median "$WORK/mdbook-$n.json")"
    python3 -c "print('mdbook build (tous les livres, $n) : %.2f s' % $m)"
  done
else
  echo "mdBook CLI absent ($MDBOOK) : comparaison ignorée"
fi
