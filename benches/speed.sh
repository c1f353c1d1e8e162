#!/usr/bin/env bash
# Speed of `journal run partie-6` on the Docker bench (see BENCHMARKS.md,
# « Exécutions au plus près du plancher »):
#   1. re-run (everything already done) against a shell script that performs
#      the same read-only checks, with hyperfine; the ratio of the medians;
#   2. cold runs (fresh volumes): how long after its physical floor each run
#      ends. The floor is the later of « Prometheus first scraped both targets
#      up » (the first `up == 1` sample of each job, read from Prometheus
#      itself) and « Grafana answers » (first 200 of /api/health, polled every
#      50 ms from the host). Each run is compared with its own floor.
# Usage: benches/speed.sh [COLD_RUNS]   (default 3)
# Needs: the bench (bash tests/bench/setup.sh), hyperfine, curl, jq, python3,
# a release build (cargo build --release). Prints figures; asserts nothing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOURNAL=${JOURNAL:-$ROOT/target/release/journal}
COLD_RUNS=${1:-3}
# shellcheck source=/dev/null
. "$ROOT/tests/bench/env.sh"
export COMPOSE_PROJECT_NAME=journal-bench-vitesse
# No grafana.com here: the shipped dashboard is imported (said in the entry).
export JOURNAL_GRAFANA_COM_URL=http://127.0.0.1:9
WORK=$(mktemp -d /tmp/journal-vitesse.XXXXXX)
PROJ=$WORK/projet
cp -r "$ROOT/tests/fixtures/projet-partie6" "$PROJ"
COMPOSE="docker compose -f $PROJ/compose/docker-compose.yml"

cleanup() {
  $COMPOSE down -v >/dev/null 2>&1 || true
  [ -n "${POLLER:-}" ] && kill "$POLLER" 2>/dev/null || true
}
trap cleanup EXIT
docker rm -f prometheus grafana cadvisor >/dev/null 2>&1 || true

now_ms() { date +%s%3N; }

# Polls Grafana's health every 50 ms and writes the first success time (ms).
poll_grafana() {
  local out=$1
  while :; do
    if curl -fsS -o /dev/null --max-time 1 http://localhost:8084/api/health 2>/dev/null; then
      now_ms >"$out"
      return
    fi
    sleep 0.05
  done
}

# First `up == 1` sample of a job, in ms since the epoch (Prometheus' own clock).
first_up_ms() {
  curl -fsS http://localhost:9090/api/v1/query --data-urlencode "query=up{job=\"$1\"}[10m]" |
    jq -r '[.data.result[0].values[] | select(.[1] == "1") | .[0]] | min * 1000 | floor'
}

echo "== exécutions à froid (volumes neufs) : fin de l'exécution − plancher physique"
printf '%-6s %-10s %-12s %-12s %-12s %s\n' "essai" "durée" "cibles up" "Grafana" "plancher" "fin − plancher"
for i in $(seq 1 "$COLD_RUNS"); do
  $COMPOSE down -v >/dev/null 2>&1 || true
  rm -rf "$PROJ/journal" "$PROJ/.journal-secrets"
  rm -f "$WORK/grafana-ok"
  start=$(now_ms)
  poll_grafana "$WORK/grafana-ok" & POLLER=$!
  "$JOURNAL" --projet "$PROJ" -q run partie-6 >"$WORK/froid-$i.txt" 2>&1
  end=$(now_ms)
  wait "$POLLER" 2>/dev/null || true
  POLLER=
  prom=$(first_up_ms prometheus)
  cadv=$(first_up_ms cadvisor)
  graf=$(cat "$WORK/grafana-ok")
  floor=$(printf '%s\n' "$prom" "$cadv" "$graf" | sort -n | tail -n 1)
  printf '%-6s %-10s %-12s %-12s %-12s %s\n' "$i" \
    "$(( (end - start) ))ms" "+$(( $(printf '%s\n' "$prom" "$cadv" | sort -n | tail -n 1) - start ))ms" \
    "+$(( graf - start ))ms" "+$(( floor - start ))ms" "$(( end - floor ))ms"
done
entry=$(ls -1 "$PROJ"/journal/*-execution-*.md | tail -n 1)
echo "durées par étape (dernière exécution à froid, $entry) :"
grep -E '^\| [0-9]+ \| \[' "$entry" | awk -F'|' '{printf "  %-55s %s\n", $3, $6}'

echo
echo "== nouvelle exécution (tout déjà fait) contre un script shell qui fait les mêmes vérifications"
PASS=$(cat "$PROJ/.journal-secrets/grafana-admin")
cat >"$WORK/verifs.sh" <<EOF
#!/usr/bin/env bash
set -euo pipefail
$COMPOSE ps prometheus grafana cadvisor >/dev/null
$COMPOSE config -q
curl -fsS http://localhost:9090/api/v1/targets >/dev/null
curl -fsS http://localhost:8084/api/health >/dev/null
curl -fsS -u "admin:$PASS" http://localhost:8084/api/datasources >/dev/null
curl -fsS -u "admin:$PASS" 'http://localhost:8084/api/search?type=dash-db' >/dev/null
curl -fsS http://localhost:9090/api/v1/query --data-urlencode 'query=sum by (name) (container_memory_working_set_bytes{name!=""})' >/dev/null
EOF
chmod +x "$WORK/verifs.sh"
sleep 20 # past the restart-sampling window: the re-run needs one sample only
hyperfine -N --warmup 2 --runs 10 --export-json "$WORK/relance.json" \
  -n "journal run partie-6 (déjà fait)" "$JOURNAL --projet $PROJ -q run partie-6" \
  -n "script shell, mêmes vérifications" "bash $WORK/verifs.sh"
python3 - "$WORK/relance.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
j, s = r[0]["median"], r[1]["median"]
print(f"médianes : journal {j*1000:.0f} ms, script {s*1000:.0f} ms — rapport {j/s:.2f}")
EOF
