#!/usr/bin/env bash
# The book at real size (BENCHMARKS.md, section 8), on journals made by
# benches/gen-journal-reel.py from the real entries of benches/echantillons/
# (15 % executions of 20 to 26 KB of Markdown with their SVG chart, notes of
# a few hundred bytes to a few KB, attachments, corrections), over 3 years:
#   1. `journal build --complet` at 10,000 entries: time and peak memory;
#   2. one note added, then `journal build`;
#   3. `journal build` with nothing changed;
#   4. `journal check` (after a build, then after a note with no build since)
#      and `journal list`;
#   5. `journal note`, empty journal against 10,000 entries;
#   6. `journal build --complet` at 30,000 entries (SIZES="10000 30000").
# Usage: benches/livre-reel.sh [WORKDIR]   (JOURNAL=… to measure another binary)
# Needs: hyperfine, python3, GNU time, a release build. Prints figures; asserts nothing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOURNAL=${JOURNAL:-$ROOT/target/release/journal}
SIZES=${SIZES:-"10000 30000"}
RUNS=${RUNS:-3}
WORK=${1:-$(mktemp -d /tmp/journal-livre-reel.XXXXXX)}
GEN="python3 $ROOT/benches/gen-journal-reel.py"
mkdir -p "$WORK"
echo "répertoire de travail : $WORK ; binaire : $JOURNAL"
"$JOURNAL" --version

median() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(" ".join("%.4f" % x["median"] for x in r))' "$1"; }
timed() { # prints « secondes pic_Mio » of one run of "$@"
  /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%s %.0f\n", $1, $2/1024}'
}

for n in $SIZES; do
  dir="$WORK/reel-$n"
  if [ ! -d "$dir/journal" ]; then
    $GEN "$n" "$dir"
  fi
  rm -rf "$dir/book"
  echo "== $n entrées : $(find "$dir/journal" -name '*.md' | wc -l) fichiers .md, $(du -sh "$dir/journal" | cut -f1)"
  # 1. Full builds (the first one creates book/).
  for i in $(seq 1 "$RUNS"); do
    echo "build --complet ($n), essai $i : $(timed "$JOURNAL" --projet "$dir" -q build --complet) (s, Mio)"
    [ "$n" -gt 10000 ] && break
  done
  "$JOURNAL" --projet "$dir" -v build --complet 2>&1 >/dev/null | grep -E "durées|mois rendus" || true
  [ "$n" -gt 10000 ] && continue

  # 2. One note, then build.
  hyperfine --warmup 1 --runs 5 --export-json "$WORK/note-build.json" \
    --prepare "$JOURNAL --projet $dir -q note 'Mesure incrémentale' --partie partie-6" \
    -n "build après une note ($n)" "$JOURNAL --projet $dir -q build"
  "$JOURNAL" --projet "$dir" -q note "Mesure incrémentale" --partie partie-6
  echo "build après une note, un essai de plus : $(timed "$JOURNAL" --projet "$dir" -q build) (s, Mio)"
  "$JOURNAL" --projet "$dir" -q note "Mesure incrémentale" --partie partie-6
  "$JOURNAL" --projet "$dir" -v build 2>&1 >/dev/null | grep -E "durées|mois rendus" || true

  # 3. Nothing changed. 4. check and list.
  hyperfine --warmup 1 --runs 5 --export-json "$WORK/rien.json" \
    -n "build sans changement ($n)" "$JOURNAL --projet $dir -q build" \
    -n "check ($n)" "$JOURNAL --projet $dir -q check" \
    -n "list ($n)" "$JOURNAL --projet $dir -q list" \
    -n "list --partie partie-6 --statut échoué ($n)" "$JOURNAL --projet $dir -q list --partie partie-6 --statut échoué"
  "$JOURNAL" --projet "$dir" -v build 2>&1 >/dev/null | grep -E "durées|mois rendus" || true
  # check when the journal changed since the last build (it reads everything).
  hyperfine --warmup 1 --runs 5 --export-json "$WORK/check-note.json" \
    --prepare "$JOURNAL --projet $dir -q note 'Mesure check' --partie partie-6" \
    -n "check après une note, sans build ($n)" "$JOURNAL --projet $dir -q check"

  # 5. note: constant in the journal's size.
  rm -rf "$WORK/vide" && mkdir -p "$WORK/vide"
  hyperfine -N --warmup 5 --runs 50 --export-json "$WORK/note.json" \
    -n "note, journal vide" "$JOURNAL --projet $WORK/vide note mesure" \
    -n "note, $n entrées" "$JOURNAL --projet $dir note mesure"
  read -r vide plein <<<"$(median "$WORK/note.json")"
  python3 -c "print('note : médiane vide %.2f ms, $n entrées %.2f ms, rapport %.3f' % ($vide*1e3, $plein*1e3, $plein/$vide))"
done
