#!/usr/bin/env bash
# `journal verifie` and `journal metriques` on a journal of five years of
# hourly verifications (see BENCHMARKS.md, « Vérifications horaires ») —
# hyperfine, medians; prints figures, asserts nothing.
# The shape: ENTRIES journal entries (benches/gen-journal.py), plus five
# years of per-day summaries (60 files verifications/AAAA-MM.json, 24
# verifications a day for 2 parts) and the last state. Services are
# unreachable (verifie exits 3): what is measured is the journal's side.
# Usage: [LIVRE=1] benches/verifie.sh [ENTRIES]   (default 10000)
# Needs: hyperfine, python3, a build (JOURNAL=… or target/release/journal).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOURNAL=${JOURNAL:-$ROOT/target/release/journal}
N=${1:-10000}
WORK=$(mktemp -d /tmp/journal-verifie.XXXXXX)
python3 "$ROOT/benches/gen-journal.py" "$N" "$WORK/projet"
python3 - "$WORK/projet/verifications" <<'PY'
import json, os, sys, calendar
d = sys.argv[1]; os.makedirs(d)
for y in range(2021, 2026 + 1):
    for m in range(1, 13):
        if (y, m) < (2021, 11) or (y, m) > (2026, 10):
            continue
        month = {}
        for day in range(1, calendar.monthrange(y, m)[1] + 1):
            month[f"{y}-{m:02d}-{day:02d}"] = {
                p: {"verifications": 24, "conformes": 23, "ecarts": 1, "injoignables": 0}
                for p in ("partie-6", "partie-6-alertes")}
        with open(f"{d}/{y}-{m:02d}.json", "w") as f:
            json.dump(month, f, indent=2, ensure_ascii=False); f.write("\n")
PY
P="$JOURNAL --projet $WORK/projet"
export DOCKER_HOST=unix:///nulle-part/docker.sock
export JOURNAL_PROMETHEUS_URL=http://127.0.0.1:9 JOURNAL_GRAFANA_URL=http://127.0.0.1:9
$P verifie >/dev/null 2>&1 || true   # first state (one entry: services unreachable)
echo "état : $(du -sh "$WORK/projet/verifications" | cut -f1) pour $(ls "$WORK/projet/verifications" | wc -l) fichiers"
hyperfine -N -i --warmup 2 --runs 10 --export-json "$WORK/v.json" \
  -n "verifie (état inchangé, rien d'écrit au journal)" "$P verifie" \
  -n "verifie --sans-journal" "$P verifie --sans-journal" \
  -n "metriques" "$P metriques" \
  -n "list (tout)" "$P list"
python3 - "$WORK/v.json" "$N" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{sys.argv[2]} entrées — {r['command']}: médiane {r['median']*1000:.0f} ms, max {r['max']*1000:.0f} ms")
PY
echo "entrées au journal après les mesures : $(ls "$WORK/projet/journal"/*.md | wc -l)"

# LIVRE=1: the book with the health calendar (60 months of summaries): a
# complete build, then `build` with nothing changed, after one hourly
# verification (its day's counts change: the main book, where the health
# page is, is rendered again, no month book) and after a note.
if [ "${LIVRE:-0}" = 1 ]; then
  /usr/bin/time -f "build --complet : %e s, pic %M Kio" $P build --complet >/dev/null
  if [ -f "$WORK/projet/book/html/sante.html" ]; then
    echo "page de santé : $(wc -c <"$WORK/projet/book/src/sante.md") octets de Markdown, $(wc -c <"$WORK/projet/book/html/sante.html") octets de HTML"
  else
    echo "page de santé : absente (binaire sans calendrier de santé)"
  fi
  $P -v build 2>&1 | grep -E "déjà à jour" | head -1 || true
  $P verifie >/dev/null 2>&1 || true
  $P -v build 2>&1 | grep -E "mois rendus" || true
  hyperfine -N -i --warmup 1 --runs 5 --export-json "$WORK/b.json" \
    --prepare "true" -n "build, rien de changé" "$P build" \
    --prepare "sh -c '$P verifie >/dev/null 2>&1; true'" -n "build après une vérification horaire" "$P build" \
    --prepare "$P note Mesure --partie partie-6" -n "build après une note" "$P build"
  python3 - "$WORK/b.json" "$N" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{sys.argv[2]} entrées — {r['command']}: médiane {r['median']:.2f} s, max {r['max']:.2f} s")
PY
fi
rm -rf "$WORK"
