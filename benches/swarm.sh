#!/usr/bin/env bash
# `journal run partie-6 --cible swarm` on a real three-node swarm (see
# BENCHMARKS.md, « Sur un essaim de trois nœuds »):
#   1. cold run (stack absent, fresh volumes): duration;
#   2. re-runs (everything « déjà fait », nothing redeployed): hyperfine;
#   3. a worker lost: its daemon stopped, then runs one after the other
#      until one fails: how long after the stop the fault is seen, how long
#      the failing run took (issue 8's bound: 2 minutes), whether it names
#      the node; then one run once the swarm calls the node Down;
#   4. the worker back: the next run succeeds; its duration, step by step.
# Usage: benches/swarm.sh [RERUNS]   (default 5)
# Needs: the bench (bash tests/bench/setup.sh), hyperfine, curl, jq, a build
# of journal (JOURNAL=…, default target/release/journal). Brings the swarm
# up with tests/bench/swarm.sh and tears it down. Prints figures; asserts
# nothing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOURNAL=${JOURNAL:-$ROOT/target/release/journal}
RERUNS=${1:-5}
SWARM="bash $ROOT/tests/bench/swarm.sh"
# shellcheck source=/dev/null
. "$ROOT/tests/bench/env.sh"
export COMPOSE_PROJECT_NAME=journal-bench-essaim
STACK=$COMPOSE_PROJECT_NAME
# No grafana.com here: the shipped dashboard is imported (said in the entry).
export JOURNAL_GRAFANA_COM_URL=http://127.0.0.1:9
WORK=$(mktemp -d /tmp/journal-essaim.XXXXXX)
PROJ=$WORK/projet
cp -r "$ROOT/tests/fixtures/projet-partie6" "$PROJ"
RUN=("$JOURNAL" --projet "$PROJ" -q run partie-6 --cible swarm)

cleanup() {
  docker stack rm "$STACK" >/dev/null 2>&1 || true
  for _ in $(seq 1 120); do
    [ -z "$(docker ps -aq --filter "label=com.docker.stack.namespace=$STACK")" ] && break
    sleep 0.5
  done
  docker volume ls -q --filter "label=com.docker.stack.namespace=$STACK" | xargs -r docker volume rm -f >/dev/null
  $SWARM down >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

# Runs journal once; prints « <ms> <exit code> ».
timed_run() {
  local start end code=0
  start=$(now_ms)
  "${RUN[@]}" >"$WORK/last.txt" 2>&1 || code=$?
  end=$(now_ms)
  echo "$(( end - start )) $code"
}

wait_state() { # node id, state
  for _ in $(seq 1 180); do
    [ "$(docker node inspect -f '{{.Status.State}}' "$1")" = "$2" ] && return 0
    sleep 0.5
  done
  echo "le nœud $1 n'est pas « $2 » après 90 s" >&2
  return 1
}

$SWARM up 3 >/dev/null
WORKER3=$(docker -H unix:///run/journal-swarm/node3/docker.sock info -f '{{.Swarm.NodeID}}')
echo "essaim : $(docker node ls -q | wc -l) nœuds ; travailleur perdu plus bas : $WORKER3"

# The step durations of the newest execution entry.
steps_of_last_run() {
  local entry
  entry=$(ls -1 "$PROJ"/journal/*-execution-*.md | tail -n 1)
  grep -E '^\| [0-9]+ \| \[' "$entry" | awk -F'|' '{printf "    %-55s %s\n", $3, $6}'
}

read -r ms code < <(timed_run)
echo "== 1. exécution à froid : ${ms} ms, code $code"
steps_of_last_run

echo "== 2. relances (tout « déjà fait », rien de redéployé) : hyperfine, $RERUNS exécutions"
before=$(docker service inspect -f '{{.Spec.Name}}={{.Version.Index}}' $(docker service ls -q --filter "label=com.docker.stack.namespace=$STACK") | sort | tr '\n' ' ')
hyperfine --style basic --runs "$RERUNS" --export-json "$WORK/relances.json" "${RUN[*]}" >/dev/null
jq -r '.results[0] | "  médiane \(.median * 1000 | floor) ms, min \(.min * 1000 | floor) ms, max \(.max * 1000 | floor) ms"' "$WORK/relances.json"
after=$(docker service inspect -f '{{.Spec.Name}}={{.Version.Index}}' $(docker service ls -q --filter "label=com.docker.stack.namespace=$STACK") | sort | tr '\n' ' ')
[ "$before" = "$after" ] && echo "  versions des services inchangées : $after" || echo "  REDÉPLOYÉ : $before → $after"

echo "== 3. un travailleur perdu (borne de l'issue : 120 000 ms)"
$SWARM stop 3 >/dev/null
stopped=$(now_ms)
runs=0
while :; do
  runs=$(( runs + 1 ))
  read -r ms code < <(timed_run)
  [ "$code" != 0 ] && break
  if [ $(( $(now_ms) - stopped )) -gt 180000 ]; then
    echo "  aucune exécution n'a échoué en 180 s !"
    break
  fi
done
echo "  exécutions lancées l'une après l'autre depuis l'arrêt : $runs ; la première en échec finit" \
  "$(( $(now_ms) - stopped )) ms après l'arrêt, a duré ${ms} ms, code $code"
grep -m1 -o "$WORKER3[^;]*" "$WORK/last.txt" | sed 's/^/    /' || echo "    (nœud non nommé !)"
wait_state "$WORKER3" down
read -r ms code < <(timed_run)
echo "  lancée une fois le nœud « down » pour l'essaim : ${ms} ms, code $code"
grep -m1 -o "$WORKER3[^;]*" "$WORK/last.txt" | sed 's/^/    /' || echo "    (nœud non nommé !)"

echo "== 4. le travailleur revenu"
$SWARM start 3 >/dev/null
wait_state "$WORKER3" ready
read -r ms code < <(timed_run)
echo "  exécution suivante : ${ms} ms, code $code"
steps_of_last_run
