#!/usr/bin/env bash
# Produces the sample entries of benches/echantillons/ with the real tool on
# the Docker bench (tests/bench/setup.sh): the run entries `journal run`
# writes (partie-6 cold and « déjà fait », partie-6-alertes, a failed
# partie-6), and notes written by `journal note` (attachments, a
# correction). benches/gen-journal-reel.py builds large journals from them.
# Usage: benches/echantillons.sh   (takes the bench lock; about 3 minutes)
# Needs: the bench, a build of journal (JOURNAL=…, default target/debug).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOURNAL=${JOURNAL:-$ROOT/target/debug/journal}
OUT=$ROOT/benches/echantillons
# shellcheck source=/dev/null
. "$ROOT/tests/bench/env.sh"
export COMPOSE_PROJECT_NAME=journal-bench-echantillons
export JOURNAL_GRAFANA_COM_URL=http://127.0.0.1:9
export JOURNAL_DELAI_REDEMARRAGES=3 JOURNAL_DELAI_EXERCICE=90 NO_COLOR=1
WORK=$(mktemp -d /tmp/journal-echantillons.XXXXXX)
PROJ=$WORK/projet
cp -r "$ROOT/tests/fixtures/projet-partie6" "$PROJ"
COMPOSE="docker compose -f $PROJ/compose/docker-compose.yml"
cleanup() { $COMPOSE down -v >/dev/null 2>&1 || true; }
trap cleanup EXIT

j() { "$JOURNAL" --projet "$PROJ" "$@"; }

exec 9>/tmp/journal-docker-e2e.lock
flock 9
docker rm -f prometheus grafana cadvisor alertmanager >/dev/null 2>&1 || true

JOURNAL_AUTEUR="Camille Martin" j run partie-6 || true
JOURNAL_AUTEUR="Camille Martin" j run partie-6 || true
JOURNAL_AUTEUR="Yanis Benali" j run partie-6-alertes || true
# A failed run: cAdvisor in a restart loop.
$COMPOSE down -v >/dev/null 2>&1 || true
JOURNAL_AUTEUR="Léa Dubois" JOURNAL_IMAGE_CADVISOR=$JOURNAL_IMAGE_CADVISOR_CRASHLOOP \
  JOURNAL_DELAI_CIBLES=10 j run partie-6 || true
cleanup

# Notes: a short one, one with attachments (an image, a log), a corrected one.
printf 'Redémarrage de Grafana après la mise à jour du noyau ; tableaux de bord conformes.\n' |
  j note - --partie partie-6 --tag exploitation --auteur "Camille Martin"
python3 - "$WORK/capture.png" "$WORK/cadvisor.log" <<'PY'
import sys, zlib, struct
w, h = 320, 120
raw = b"".join(b"\x00" + bytes((x * 7 + y * 3) % 256 for x in range(w * 3)) for y in range(h))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
with open(sys.argv[2], "w") as f:
    for i in range(120):
        f.write(f"I1105 08:{i // 60:02d}:{i % 60:02d}.000000 1 manager.go:{200 + i}] conteneur /docker/{i:064x} ajouté\n")
PY
{
  printf 'Pic de CPU sur le nœud de supervision pendant la sauvegarde nocturne.\n\n'
  printf 'La sauvegarde de Zammad (pg_dump puis compression) a occupé deux cœurs pendant\n'
  printf 'vingt minutes ; cAdvisor a continué de répondre, Prometheus n'"'"'a perdu aucun\n'
  printf 'échantillon. Capture du tableau de bord et extrait du journal de cAdvisor joints.\n\n'
  printf '| Heure | CPU (cœurs) | Mémoire |\n|---|---:|---:|\n| 02:00 | 0,4 | 1,2 Gio |\n| 02:10 | 1,9 | 1,6 Gio |\n| 02:20 | 2,0 | 1,7 Gio |\n| 02:30 | 0,5 | 1,2 Gio |\n\n'
  printf 'À faire : décaler la sauvegarde à 03:00, après la rotation des journaux.\n'
} | j note - --partie partie-6 --tag incident --tag sauvegarde --auteur "Yanis Benali" \
  --joindre "$WORK/capture.png" --joindre "$WORK/cadvisor.log"
printf 'Mot de passe Grafana changé par erreur sur la recette.\n' |
  j note - --tag grafana --auteur "Léa Dubois"
id=$(ls "$PROJ/journal" | grep -- '-note-' | sort | tail -1 | sed 's/\.md$//')
printf 'Mot de passe Grafana changé sur la recette, pas en production : rien à reprendre.\n\nVérifié avec la connexion admin sur les deux instances.\n' |
  j note - --corrige "$id" --auteur "Léa Dubois"

rm -rf "$OUT"
mkdir -p "$OUT"
cp -r "$PROJ/journal/." "$OUT/"
ls -la "$OUT"
