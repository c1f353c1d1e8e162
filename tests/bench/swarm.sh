#!/usr/bin/env bash
# Banc Swarm : un essaim Docker réel de N nœuds sur une seule machine.
#
#   tests/bench/swarm.sh up N     le moteur de l'hôte devient le gestionnaire ; N-1 nœuds
#                                 de travail, chacun un second dockerd dans son propre
#                                 espace de noms réseau, rejoignent l'essaim ; les images
#                                 du banc y sont copiées (docker save | docker -H … load)
#   tests/bench/swarm.sh down     chaque nœud quitte l'essaim, ses démons sont arrêtés par
#                                 leur pid, espaces de noms et veth supprimés, l'hôte quitte
#                                 l'essaim ; le moteur de l'hôte est rendu comme avant « up »
#   tests/bench/swarm.sh stop K   arrête le dockerd du nœud K (panne simulée)
#   tests/bench/swarm.sh start K  le redémarre (il rejoint l'essaim de lui-même)
#   tests/bench/swarm.sh status   état des nœuds
#
# Idempotent : « up N » deux fois de suite ne refait rien ; « down » sans essaim ne fait
# rien. N'utilise que des adresses 10.98.x.y, posées sur les interfaces qu'il crée : le
# pont jswbr de l'hôte porte 10.98.0.1 (l'adresse du gestionnaire), le nœud K a 10.98.0.K
# dans son espace de noms jswarm<K>, relié au pont par la paire veth jsw<K>/jswp<K> ; les
# réseaux overlay de l'essaim prennent leurs sous-réseaux dans 10.98.128.0/17 et
# docker_gwbridge (créé par ce script s'il n'existait pas) dans 10.98.127.0/24.
#
# Le moteur de l'hôte est partagé : les appelants qui changent son état tiennent
# /tmp/journal-e2e.lock (flock) autour de up … tests … down. Ce script sérialise en plus
# ses propres opérations par /tmp/journal-swarm-bench.lock.
#
# Recette vérifiée : ../shared/docs/environment.md (« A real multi-node Docker Swarm »).
set -euo pipefail

STATE=/run/journal-swarm
DATA=/var/lib/journal-swarm
MANAGER_ADDR=10.98.0.1
BRIDGE=jswbr
ADDR_POOL=10.98.128.0/17
GWBRIDGE_SUBNET=10.98.127.0/24
IMAGES=(local/prometheus:bench local/grafana-standin:bench local/cadvisor-standin:bench)
MAX_NODES=9

say() { printf 'banc swarm : %s\n' "$*" >&2; }
die() { printf 'banc swarm : ERREUR : %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "à lancer en root (espaces de noms réseau, dockerd)"
for tool in ip nsenter dockerd docker flock; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool introuvable"
done

exec 8>/tmp/journal-swarm-bench.lock
flock -w 600 8 || die "un autre swarm.sh tient /tmp/journal-swarm-bench.lock depuis 10 min"

ns() { echo "jswarm$1"; }
veth() { echo "jsw$1"; }
peer() { echo "jswp$1"; }
node_dir() { echo "$STATE/node$1"; }
sock() { echo "unix://$STATE/node$1/docker.sock"; }
dk() { local k=$1; shift; docker -H "$(sock "$k")" "$@"; }

# ---------------------------------------------------------------------------
# Réseau : un pont jswbr (10.98.0.1, l'adresse du gestionnaire) et, par nœud de
# travail, une paire veth dont un bout est sur le pont et l'autre (10.98.0.K) dans
# l'espace de noms du nœud : un seul segment, comme un réseau local. (Avec une paire
# veth routée par nœud, le VXLAN des réseaux overlay ne passait qu'entre le
# gestionnaire et le nœud dont la veth portait l'adresse du gestionnaire.)
# ---------------------------------------------------------------------------
ensure_bridge() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  # Sortie lue en entier (grep -q et pipefail : SIGPIPE ferait croire l'adresse absente).
  case "$(ip addr show dev "$BRIDGE")" in
    *"$MANAGER_ADDR/24"*) ;;
    *) ip addr add "$MANAGER_ADDR/24" dev "$BRIDGE" ;;
  esac
  ip link set "$BRIDGE" up
}

remove_bridge() {
  ip link del "$BRIDGE" 2>/dev/null || true
}

ensure_link() { # K
  local k=$1 n v p
  n=$(ns "$k"); v=$(veth "$k"); p=$(peer "$k")
  ensure_bridge
  [ -e "/var/run/netns/$n" ] || ip netns add "$n"
  if ! ip link show "$v" >/dev/null 2>&1; then
    ip link add "$v" type veth peer name "$p"
    ip link set "$p" netns "$n"
  fi
  ip link set "$v" master "$BRIDGE"
  ip link set "$v" up
  ip netns exec "$n" sh -c "
    ip addr show dev $p | grep -q '10.98.0.$k/24' || ip addr add 10.98.0.$k/24 dev $p
    ip link set $p up; ip link set lo up
    ip route show default | grep -q . || ip route add default via $MANAGER_ADDR"
}

remove_link() { # K
  local k=$1
  ip link del "$(veth "$k")" 2>/dev/null || true
  [ -e "/var/run/netns/$(ns "$k")" ] && ip netns del "$(ns "$k")" 2>/dev/null || true
}

# ---------------------------------------------------------------------------
# Démons des nœuds de travail
# ---------------------------------------------------------------------------
daemon_pid() { # K → pid vivant d'un dockerd de ce nœud, ou rien
  local f; f="$(node_dir "$1")/d.pid"
  [ -f "$f" ] || return 0
  local pid; pid=$(cat "$f" 2>/dev/null || true)
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 0
  local cmdline; cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
  case "$cmdline" in *dockerd*"--exec-root $(node_dir "$1")/exec"*) echo "$pid" ;; esac
  return 0
}

start_daemon() { # K
  local k=$1 d; d=$(node_dir "$k")
  if [ -n "$(daemon_pid "$k")" ]; then return; fi
  mkdir -p "$d" "$DATA/node$k"
  rm -f "$d/d.pid" "$d/docker.sock"
  # nsenter --net, pas « ip netns exec » : ce dernier remonte /sys et dockerd ne
  # trouve plus les cgroups. 8>&- : le démon ne garde pas le verrou de ce script.
  nsenter --net="/var/run/netns/$(ns "$k")" setsid dockerd \
    --data-root "$DATA/node$k" --exec-root "$d/exec" --pidfile "$d/d.pid" \
    -H "$(sock "$k")" --bridge none --iptables=false \
    >"$d/dockerd.log" 2>&1 </dev/null 8>&- &
  local i
  for i in $(seq 1 60); do
    dk "$k" info >/dev/null 2>&1 && return
    sleep 0.5
  done
  tail -n 20 "$d/dockerd.log" >&2 || true
  die "le dockerd du nœud $k ne répond pas (voir $d/dockerd.log)"
}

stop_daemon() { # K
  local k=$1 pid i
  pid=$(daemon_pid "$k")
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 60); do [ -d "/proc/$pid" ] || break; sleep 0.5; done
  if [ -d "/proc/$pid" ]; then
    say "nœud $k : dockerd (pid $pid) ne s'arrête pas, SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  # Les conteneurs du nœud (shims de son containerd) partent avec lui.
  local shim
  for shim in $(pgrep -f "containerd-shim.*-namespace moby.*$(node_dir "$k")/exec" 2>/dev/null || true); do
    kill -KILL "$shim" 2>/dev/null || true
  done
}

# ---------------------------------------------------------------------------
# Essaim
# ---------------------------------------------------------------------------
host_state() { docker info -f '{{.Swarm.LocalNodeState}}' 2>/dev/null; }
host_node_id() { docker info -f '{{.Swarm.NodeID}}' 2>/dev/null; }
ours() { [ -f "$STATE/manager" ] && [ "$(cat "$STATE/manager")" = "$(host_node_id)" ]; }

ensure_manager() {
  ensure_bridge
  case "$(host_state)" in
    active)
      ours || die "le moteur de l'hôte est déjà dans un essaim qui n'est pas celui du banc : refus d'y toucher (docker swarm leave --force, si c'est voulu)"
      return ;;
    inactive) ;;
    *) die "état Swarm inattendu du moteur de l'hôte : $(host_state)" ;;
  esac
  mkdir -p "$STATE"
  if ! docker network inspect docker_gwbridge >/dev/null 2>&1; then
    docker network create --subnet "$GWBRIDGE_SUBNET" \
      --opt com.docker.network.bridge.name=docker_gwbridge \
      --opt com.docker.network.bridge.enable_icc=false \
      --opt com.docker.network.bridge.enable_ip_masquerade=true \
      docker_gwbridge >/dev/null
    touch "$STATE/gwbridge-created"
  fi
  docker swarm init --advertise-addr "$MANAGER_ADDR" --listen-addr "$MANAGER_ADDR:2377" \
    --default-addr-pool "$ADDR_POOL" --default-addr-pool-mask-length 24 >/dev/null
  host_node_id >"$STATE/manager"
  say "essaim créé sur le moteur de l'hôte (gestionnaire $MANAGER_ADDR, nœud $(host_node_id))"
}

ensure_joined() { # K
  local k=$1 state id
  state=$(dk "$k" info -f '{{.Swarm.LocalNodeState}}')
  id=$(dk "$k" info -f '{{.Swarm.NodeID}}')
  if [ "$state" = active ] && docker node inspect "$id" >/dev/null 2>&1; then
    return
  fi
  if [ "$state" != inactive ]; then
    dk "$k" swarm leave --force >/dev/null 2>&1 || true
  fi
  dk "$k" swarm join --advertise-addr "10.98.0.$k" \
    --token "$(docker swarm join-token -q worker)" "$MANAGER_ADDR:2377" >/dev/null
  say "nœud $k (10.98.0.$k) a rejoint l'essaim : $(dk "$k" info -f '{{.Swarm.NodeID}}')"
}

ensure_images() { # K
  local k=$1 img want have
  for img in "${IMAGES[@]}"; do
    want=$(docker image inspect -f '{{.Id}}' "$img" 2>/dev/null) \
      || die "image $img absente de l'hôte : lancez d'abord tests/bench/setup.sh"
    have=$(dk "$k" image inspect -f '{{.Id}}' "$img" 2>/dev/null || true)
    if [ "$want" != "$have" ]; then
      docker save "$img" | dk "$k" load -q >/dev/null
      say "nœud $k : image $img copiée"
    fi
  done
}

# Nœuds « down » laissés par des nœuds de travail recréés : retirés de la liste.
prune_nodes() {
  local keep=" $(host_node_id) " k id line
  for k in $(seq 2 "$MAX_NODES"); do
    [ -n "$(daemon_pid "$k")" ] || continue
    id=$(dk "$k" info -f '{{.Swarm.NodeID}}' 2>/dev/null || true)
    keep="$keep$id "
  done
  docker node ls -q | while read -r line; do
    case "$keep" in *" $line "*) ;; *) docker node rm --force "$line" >/dev/null 2>&1 || true ;; esac
  done
}

wait_ready() { # N
  local n=$1 i ready
  for i in $(seq 1 120); do
    ready=$(docker node ls --format '{{.Status}}' | grep -c '^Ready$' || true)
    [ "$ready" = "$n" ] && [ "$(docker node ls -q | wc -l)" = "$n" ] && return
    sleep 0.5
  done
  docker node ls >&2 || true
  die "l'essaim n'a pas $n nœuds Ready après 60 s"
}

down_node() { # K
  local k=$1
  if [ -n "$(daemon_pid "$k")" ]; then
    dk "$k" swarm leave --force >/dev/null 2>&1 || true
    stop_daemon "$k"
  fi
  # Démon arrêté sans quitter l'essaim : son état Swarm est oublié.
  rm -rf "$DATA/node$k/swarm"
  remove_link "$k"
  rm -rf "$(node_dir "$k")"
}

cmd_up() {
  local n=${1:-}
  [[ "$n" =~ ^[1-9]$ ]] || die "usage : swarm.sh up N (1 ≤ N ≤ $MAX_NODES, gestionnaire compris)"
  docker info >/dev/null 2>&1 || die "moteur Docker de l'hôte injoignable"
  ensure_manager
  local k
  for k in $(seq 2 "$n"); do
    ensure_link "$k"
    start_daemon "$k"
    ensure_joined "$k"
    ensure_images "$k"
  done
  for k in $(seq $((n + 1)) "$MAX_NODES"); do
    if [ -d "$(node_dir "$k")" ] || [ -e "/var/run/netns/$(ns "$k")" ]; then down_node "$k"; fi
  done
  prune_nodes
  wait_ready "$n"
  say "essaim prêt : $n nœud(s) Ready"
}

cmd_down() {
  local k
  for k in $(seq 2 "$MAX_NODES"); do
    if [ -d "$(node_dir "$k")" ] || [ -e "/var/run/netns/$(ns "$k")" ]; then
      down_node "$k"
      say "nœud $k arrêté et retiré"
    fi
  done
  if [ "$(host_state)" = active ] && ours; then
    docker swarm leave --force >/dev/null
    say "le moteur de l'hôte a quitté l'essaim"
  elif [ "$(host_state)" = active ]; then
    say "le moteur de l'hôte est dans un essaim qui n'est pas celui du banc : laissé tel quel"
  fi
  rm -f "$STATE/manager"
  if [ -f "$STATE/gwbridge-created" ]; then
    local i
    for i in $(seq 1 40); do
      docker network rm docker_gwbridge >/dev/null 2>&1 && break
      ! docker network inspect docker_gwbridge >/dev/null 2>&1 && break
      sleep 0.5
    done
    docker network inspect docker_gwbridge >/dev/null 2>&1 \
      && say "docker_gwbridge encore utilisé : non supprimé" \
      || rm -f "$STATE/gwbridge-created"
  fi
  remove_bridge
  rmdir "$STATE" 2>/dev/null || true
}

cmd_status() {
  printf 'hôte : %s\n' "$(host_state)"
  [ "$(host_state)" = active ] && docker node ls --format '{{.ID}} {{.Status}} {{.Availability}} {{.ManagerStatus}}'
  local k
  for k in $(seq 2 "$MAX_NODES"); do
    [ -d "$(node_dir "$k")" ] || continue
    printf 'nœud %s : dockerd %s\n' "$k" "$(daemon_pid "$k" | sed 's/^/pid /' || true)"
  done
}

case "${1:-}" in
  up) cmd_up "${2:-}" ;;
  down) cmd_down ;;
  stop) [[ "${2:-}" =~ ^[2-9]$ ]] || die "usage : swarm.sh stop K (2 ≤ K)"; stop_daemon "$2"; say "nœud $2 arrêté" ;;
  start) [[ "${2:-}" =~ ^[2-9]$ ]] || die "usage : swarm.sh start K (2 ≤ K)"; ensure_link "$2"; start_daemon "$2"; say "nœud $2 redémarré" ;;
  status) cmd_status ;;
  *) die "usage : swarm.sh up N | down | stop K | start K | status" ;;
esac
