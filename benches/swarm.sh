#!/usr/bin/env bash
# `journal run partie-6 --cible swarm` on a real three-node swarm (see
# BENCHMARKS.md, « Sur un essaim de trois nœuds »):
#   1. cold run (stack absent, fresh volumes): duration, and how long after
#      its floor it ends. The floor is the latest of « every service has
#      all its tasks running » (`docker service ls`), « Prometheus has one
#      cAdvisor target per node, all up » and « Grafana answers », each
#      polled from the host every 250 ms while journal runs;
#   2. re-runs (everything « déjà fait », nothing redeployed): hyperfine;
#   3. a worker lost: its daemon stopped, then runs one after the other
#      until one fails: how long after the stop the fault is seen, how long
#      the failing run took (issue 8's bound: 2 minutes), whether it names
#      the node; then one run once the swarm calls the node Down;
#   4. the worker back: the next run succeeds; its duration, step by step,
#      and its end minus the same floor.
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

# Polls the three conditions of the floor; writes « <services> <cibles>
# <grafana> » (ms since the epoch) to $1 once all three hold.
poll_floor() {
  local rep="" tg="" gf="" r until=$(( $(now_ms) + 180000 ))
  while [ -z "$rep" ] || [ -z "$tg" ] || [ -z "$gf" ]; do
    if [ "$(now_ms)" -gt "$until" ]; then
      echo "plancher non atteint en 180 s" >&2
      return 1
    fi
    if [ -z "$rep" ]; then
      r=$(docker service ls --filter "label=com.docker.stack.namespace=$STACK" --format '{{.Replicas}}' 2>/dev/null || true)
      if [ "$(grep -c . <<<"$r")" = 3 ] && awk -F'[/ ]' '$1 != $2 { bad = 1 } END { exit bad }' <<<"$r"; then
        rep=$(now_ms)
      fi
    fi
    if [ -z "$tg" ] && curl -fsS --max-time 1 http://localhost:9090/api/v1/targets 2>/dev/null |
      jq -e '[.data.activeTargets[] | select(.labels.job == "cadvisor")] | length == 3 and all(.health == "up")' >/dev/null 2>&1; then
      tg=$(now_ms)
    fi
    if [ -z "$gf" ] && curl -fsS -o /dev/null --max-time 1 http://localhost:8084/api/health 2>/dev/null; then
      gf=$(now_ms)
    fi
    sleep 0.25
  done
  echo "$rep $tg $gf" >"$1"
}

# Runs journal once with the floor poller; prints the figures.
run_against_floor() {
  local start end code=0 rep tg gf floor
  rm -f "$WORK/plancher"
  start=$(now_ms)
  poll_floor "$WORK/plancher" &
  local poller=$!
  "${RUN[@]}" >"$WORK/last.txt" 2>&1 || code=$?
  end=$(now_ms)
  if ! wait "$poller"; then
    echo "  durée $(( end - start )) ms, code $code ; plancher non mesuré"
    return
  fi
  read -r rep tg gf <"$WORK/plancher"
  floor=$(printf '%s\n' "$rep" "$tg" "$gf" | sort -n | tail -n 1)
  echo "  durée $(( end - start )) ms, code $code ; services convergés à +$(( rep - start )) ms," \
    "3 cibles cAdvisor up à +$(( tg - start )) ms, Grafana à +$(( gf - start )) ms ;" \
    "fin − plancher : $(( end - floor )) ms"
}

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

# « nom=version » of the stack's services (the version changes on a redeploy).
service_versions() {
  # shellcheck disable=SC2046 # one argument per service ID
  docker service inspect -f '{{.Spec.Name}}={{.Version.Index}}' \
    $(docker service ls -q --filter "label=com.docker.stack.namespace=$STACK") | sort | tr '\n' ' '
}

# The step durations of the newest execution entry.
steps_of_last_run() {
  local entry
  entry=$(ls -1 "$PROJ"/journal/*-execution-*.md | tail -n 1)
  grep -E '^\| [0-9]+ \| \[' "$entry" | awk -F'|' '{printf "    %-55s %s\n", $3, $6}'
}

echo "== 1. exécution à froid"
run_against_floor
steps_of_last_run

echo "== 2. relances (tout « déjà fait », rien de redéployé) : hyperfine, $RERUNS exécutions"
before=$(service_versions)
hyperfine --style basic --runs "$RERUNS" --export-json "$WORK/relances.json" "${RUN[*]}" >/dev/null
jq -r '.results[0] | "  médiane \(.median * 1000 | floor) ms, min \(.min * 1000 | floor) ms, max \(.max * 1000 | floor) ms"' "$WORK/relances.json"
after=$(service_versions)
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
run_against_floor
steps_of_last_run
