#!/usr/bin/env bash
# Banc de test Docker : prépare le moteur Docker, le plugin Compose v2 et les
# images locales (Prometheus réel + stand-ins de test). Idempotent : une
# seconde exécution ne refait rien et rend la main en quelques secondes.
#
# Usage : tests/bench/setup.sh      puis : source tests/bench/env.sh
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/../.." && pwd)
TARGET_DIR=${JOURNAL_BENCH_TARGET_DIR:-$REPO_ROOT/target/bench}
CACHE_DIR=${JOURNAL_BENCH_CACHE_DIR:-/var/cache/journal-bench}
DOCKERD_LOG=/tmp/journal-bench-dockerd.log
TRIXIE_SOURCE=/etc/apt/sources.list.d/journal-bench-trixie.sources
TRIXIE_PIN=/etc/apt/preferences.d/journal-bench-trixie
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins

IMG_PROMETHEUS=local/prometheus:bench
IMG_CADVISOR=local/cadvisor-standin:bench
IMG_CRASHLOOP=local/cadvisor-crashloop:bench
IMG_CADVISOR_UNNAMED=local/cadvisor-unnamed:bench
IMG_GRAFANA=local/grafana-standin:bench
IMG_ALERTMANAGER=local/alertmanager:bench
IMG_NODE_EXPORTER=local/node-exporter:bench

# Bump when the way an image is assembled changes (forces a rebuild).
RECIPE_VERSION=2

START_TS=$(date +%s%N)
say() { printf 'banc : %s\n' "$*" >&2; }
die() { printf 'banc : ERREUR : %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Un seul setup à la fois (tests lancés en parallèle).
exec 9>/tmp/journal-bench-setup.lock
flock -w 600 9 || die "un autre setup.sh tient /tmp/journal-bench-setup.lock depuis 10 min"

APT_UPDATED=0
apt_update_once() {
  if [ "$APT_UPDATED" = 0 ]; then
    say "mise à jour des index apt (apt-get update)…"
    as_root apt-get update -qq >&2 || die "apt-get update a échoué"
    APT_UPDATED=1
  fi
}

# ---------------------------------------------------------------------------
# 1. Moteur Docker et plugin Compose
# ---------------------------------------------------------------------------
need_engine=0; need_compose=0
docker info >/dev/null 2>&1 || need_engine=1
docker compose version >/dev/null 2>&1 || need_compose=1

if [ "$need_compose" = 1 ]; then
  # Source trixie épinglée à 100 : elle ne sert qu'à « apt-get download docker-compose/trixie ».
  if [ ! -f "$TRIXIE_SOURCE" ]; then
    say "ajout de la source apt trixie (épinglée à 100) pour le plugin Compose v2"
    as_root tee "$TRIXIE_SOURCE" >/dev/null <<'EOF'
# Ajouté par tests/bench/setup.sh (journal) : seulement pour télécharger docker-compose (plugin v2).
Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  if [ ! -f "$TRIXIE_PIN" ]; then
    as_root tee "$TRIXIE_PIN" >/dev/null <<'EOF'
# Ajouté par tests/bench/setup.sh (journal) : trixie n'est jamais candidat à une mise à niveau.
Package: *
Pin: release n=trixie
Pin-Priority: 100
EOF
  fi
fi

if [ "$need_engine" = 1 ]; then
  if ! command -v dockerd >/dev/null 2>&1; then
    apt_update_once
    say "installation du moteur Docker (paquet docker.io)…"
    # Pas de systemd : empêcher les scripts du paquet de lancer le service eux-mêmes.
    policy_created=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
      as_root chmod 755 /usr/sbin/policy-rc.d
      policy_created=1
    fi
    install_rc=0
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/tmp/journal-bench-apt.log 2>&1 || install_rc=$?
    [ "$install_rc" = 0 ] || tail -n 20 /tmp/journal-bench-apt.log >&2
    [ "$policy_created" = 1 ] && as_root rm -f /usr/sbin/policy-rc.d
    [ "$install_rc" = 0 ] || die "apt-get install docker.io a échoué"
  fi
  if [ -S /var/run/docker.sock ] && pgrep -x dockerd >/dev/null 2>&1; then
    say "dockerd tourne déjà mais ne répond pas encore : attente"
  else
    say "démarrage de dockerd en arrière-plan (journal : $DOCKERD_LOG)"
    as_root rm -f /var/run/docker.pid
    # 9>&- : dockerd ne doit pas garder le verrou de ce script.
    as_root nohup dockerd >"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
    disown || true
  fi
  ok=0
  for _ in $(seq 1 60); do
    if [ -S /var/run/docker.sock ] && docker info >/dev/null 2>&1; then ok=1; break; fi
    sleep 1
  done
  [ "$ok" = 1 ] || { tail -n 20 "$DOCKERD_LOG" >&2 || true; die "le moteur Docker ne répond pas après 60 s (voir $DOCKERD_LOG)"; }
  say "moteur Docker démarré ($(docker version -f '{{.Server.Version}}' 2>/dev/null), API $(docker version -f '{{.Server.APIVersion}}' 2>/dev/null))"
else
  say "moteur Docker déjà disponible"
fi

if [ "$need_compose" = 1 ]; then
  apt_update_once
  say "installation du plugin Compose v2 depuis le paquet docker-compose de trixie…"
  tmp=$(mktemp -d)
  (cd "$tmp" && as_root apt-get download -qq -o APT::Sandbox::User=root docker-compose/trixie >&2) || { rm -rf "$tmp"; die "apt-get download docker-compose/trixie a échoué"; }
  dpkg-deb -x "$tmp"/docker-compose_*.deb "$tmp/x"
  [ -x "$tmp/x/usr/libexec/docker/cli-plugins/docker-compose" ] || { rm -rf "$tmp"; die "plugin docker-compose introuvable dans le paquet"; }
  as_root install -d "$PLUGIN_DIR"
  as_root install -m 755 "$tmp/x/usr/libexec/docker/cli-plugins/docker-compose" "$PLUGIN_DIR/docker-compose"
  rm -rf "$tmp"
  docker compose version >/dev/null 2>&1 || die "docker compose version échoue encore"
  # L'épinglage ne doit rien mettre à niveau depuis trixie.
  if apt-get -s -o Debug::NoLocking=1 dist-upgrade 2>/dev/null | grep -E '^Inst .*(trixie|Debian:13[./])' >&2; then
    die "l'épinglage trixie laisserait apt mettre à niveau des paquets (voir ci-dessus) : vérifier $TRIXIE_PIN"
  fi
  say "plugin Compose installé : $(docker compose version --short 2>/dev/null)"
else
  say "plugin Compose déjà disponible ($(docker compose version --short 2>/dev/null))"
fi

# ---------------------------------------------------------------------------
# 2. Binaries des stand-ins
# ---------------------------------------------------------------------------
command -v cargo >/dev/null 2>&1 || die "cargo introuvable : installer Rust (rustup) pour construire les stand-ins"
say "compilation des stand-ins (cargo build --release)…"
cargo build -q --release --manifest-path "$BENCH_DIR/standins/Cargo.toml" --target-dir "$TARGET_DIR" >&2 \
  || die "la compilation des stand-ins a échoué"
BIN_DIR=$TARGET_DIR/release

# ---------------------------------------------------------------------------
# 3. Images locales (docker import, sans registre)
# ---------------------------------------------------------------------------
image_label() { # image label
  docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true
}

# Bibliothèques listées par ldd (chemins absolus), chargeur compris.
libs_of() {
  ldd "$1" 2>/dev/null | grep -oE '/[^ ]+' | sort -u || true
}

# Empreinte des entrées : recette + binaire + bibliothèques copiées.
inputs_hash() { # tag-de-recette fichiers...
  local tag=$1; shift
  { echo "recipe=$RECIPE_VERSION:$tag"; sha256sum "$@"; } | sha256sum | cut -c1-32
}

new_rootfs() {
  local root; root=$(mktemp -d)
  mkdir -p "$root"/{bin,etc,tmp}
  chmod 1777 "$root/tmp"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  printf 'root:x:0:0:root:/root:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  echo "$root"
}

copy_with_libs() { # binaire racine
  local bin=$1 root=$2 lib
  cp "$bin" "$root/bin/"
  for lib in $(libs_of "$bin"); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

import_image() { # racine image hash changes...
  local root=$1 image=$2 hash=$3; shift 3
  local old new
  old=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
  local args=()
  local c
  for c in "$@"; do args+=(-c "$c"); done
  tar --numeric-owner --owner=0 --group=0 -C "$root" -c . \
    | docker import "${args[@]}" -c "LABEL journal.bench.hash=$hash" - "$image" >/dev/null
  new=$(docker image inspect -f '{{.Id}}' "$image")
  if [ -n "$old" ] && [ "$old" != "$new" ]; then
    docker image rm "$old" >/dev/null 2>&1 || true
  fi
  rm -rf "$root"
}

ensure_standin_image() { # image binaire changes...
  local image=$1 bin=$2; shift 2
  local hash
  # shellcheck disable=SC2046
  hash=$(inputs_hash "$image" "$bin" $(libs_of "$bin"))
  if [ "$(image_label "$image" journal.bench.hash)" = "$hash" ]; then
    say "image $image à jour"
    return
  fi
  say "construction de l'image $image (docker import)…"
  local root; root=$(new_rootfs)
  copy_with_libs "$bin" "$root"
  if [ "$image" = "$IMG_GRAFANA" ]; then
    mkdir -p "$root/var/lib/grafana"
    # `grafana cli admin reset-admin-password`, as in the real image.
    ln "$root/bin/grafana-standin" "$root/bin/grafana"
  fi
  import_image "$root" "$image" "$hash" 'LABEL journal.fixture=true' "$@"
}

# The newest .deb of package $1 in the cache (empty when none).
cached_deb() {
  ls -1 "$CACHE_DIR"/"$1"_*.deb 2>/dev/null | sort -V | tail -n 1 || true
}

# Downloads package $1's .deb into the cache, without installing it; prints its path.
download_deb() {
  local pkg=$1
  say "téléchargement du paquet Debian $pkg (sans l'installer)…"
  as_root mkdir -p "$CACHE_DIR"
  if ! (cd "$CACHE_DIR" && as_root apt-get download -qq -o APT::Sandbox::User=root "$pkg" >&2); then
    apt_update_once
    (cd "$CACHE_DIR" && as_root apt-get download -qq -o APT::Sandbox::User=root "$pkg" >&2) \
      || die "apt-get download $pkg a échoué"
  fi
  cached_deb "$pkg"
}

ensure_prometheus_image() {
  local image=$IMG_PROMETHEUS deb
  deb=$(cached_deb prometheus)
  if [ -z "$deb" ] && [ "$(image_label "$image" journal.bench.recipe)" = "$RECIPE_VERSION" ]; then
    say "image $image à jour (paquet source absent du cache, image conservée)"
    return
  fi
  [ -n "$deb" ] || deb=$(download_deb prometheus)
  # « +promtool » : promtool ajouté à l'image (reconstruit une image sans lui).
  local hash; hash=$(inputs_hash prometheus+promtool "$deb")
  if [ "$(image_label "$image" journal.bench.hash)" = "$hash" ]; then
    say "image $image à jour ($(basename "$deb"))"
    return
  fi
  say "construction de l'image $image à partir de $(basename "$deb")…"
  local x root
  x=$(mktemp -d); dpkg-deb -x "$deb" "$x"
  root=$(new_rootfs)
  copy_with_libs "$x/usr/bin/prometheus" "$root"
  # promtool (« promtool check rules »), comme dans l'image officielle : /bin/promtool.
  copy_with_libs "$x/usr/bin/promtool" "$root"
  mkdir -p "$root/etc/prometheus" "$root/prometheus" "$root/var/lib/prometheus"
  # Le binaire Debian a pour défaut --storage.tsdb.path=/var/lib/prometheus/metrics2/ :
  # le lien le renvoie vers /prometheus (volume prometheus_data du tutoriel, dont le
  # command: ne donne que --config.file).
  ln -s /prometheus "$root/var/lib/prometheus/metrics2"
  if [ -d "$x/etc/prometheus" ]; then
    cp -a "$x/etc/prometheus/." "$root/etc/prometheus/"
  fi
  if [ -d "$x/usr/share/prometheus" ]; then
    mkdir -p "$root/usr/share"
    cp -a "$x/usr/share/prometheus" "$root/usr/share/"
  fi
  cat >"$root/etc/prometheus/prometheus.yml" <<'EOF'
# Configuration par défaut de l'image du banc (remplacée par le montage du tutoriel).
global:
  scrape_interval: 15s
scrape_configs:
  - job_name: 'prometheus'
    static_configs:
      - targets: ['localhost:9090']
EOF
  rm -rf "$x"
  import_image "$root" "$image" "$hash" \
    "LABEL journal.bench.recipe=$RECIPE_VERSION journal.bench.source=$(basename "$deb")" \
    'WORKDIR /prometheus' \
    'EXPOSE 9090' \
    'ENTRYPOINT ["/bin/prometheus"]' \
    'CMD ["--config.file=/etc/prometheus/prometheus.yml","--storage.tsdb.path=/prometheus"]'
}

# Alertmanager réel : paquet Debian prometheus-alertmanager (binaire, amtool et
# modèles /usr/share/prometheus/alertmanager/), disposé comme l'image officielle
# prom/alertmanager (/bin/alertmanager, /bin/amtool, /etc/alertmanager, /alertmanager).
ensure_alertmanager_image() {
  local image=$IMG_ALERTMANAGER deb
  deb=$(cached_deb prometheus-alertmanager)
  if [ -z "$deb" ] && [ "$(image_label "$image" journal.bench.recipe)" = "$RECIPE_VERSION" ]; then
    say "image $image à jour (paquet source absent du cache, image conservée)"
    return
  fi
  [ -n "$deb" ] || deb=$(download_deb prometheus-alertmanager)
  local hash; hash=$(inputs_hash alertmanager "$deb")
  if [ "$(image_label "$image" journal.bench.hash)" = "$hash" ]; then
    say "image $image à jour ($(basename "$deb"))"
    return
  fi
  say "construction de l'image $image à partir de $(basename "$deb")…"
  local x root
  x=$(mktemp -d); dpkg-deb -x "$deb" "$x"
  root=$(new_rootfs)
  copy_with_libs "$x/usr/bin/prometheus-alertmanager" "$root"
  mv "$root/bin/prometheus-alertmanager" "$root/bin/alertmanager"
  copy_with_libs "$x/usr/bin/amtool" "$root"
  mkdir -p "$root/etc/alertmanager" "$root/alertmanager" "$root/usr/share/prometheus"
  cp -a "$x/usr/share/prometheus/alertmanager" "$root/usr/share/prometheus/"
  cat >"$root/etc/alertmanager/alertmanager.yml" <<'CONF'
# Configuration par défaut de l'image du banc (remplacée par le montage de journal).
route:
  receiver: defaut
receivers:
  - name: defaut
CONF
  rm -rf "$x"
  import_image "$root" "$image" "$hash" \
    "LABEL journal.bench.recipe=$RECIPE_VERSION journal.bench.source=$(basename "$deb")" \
    'WORKDIR /alertmanager' \
    'EXPOSE 9093' \
    'ENTRYPOINT ["/bin/alertmanager"]' \
    'CMD ["--config.file=/etc/alertmanager/alertmanager.yml","--storage.path=/alertmanager","--cluster.listen-address="]'
}

# Node exporter réel (partie-6-hote) : paquet Debian prometheus-node-exporter,
# disposé comme l'image officielle prom/node-exporter (/bin/node_exporter).
ensure_node_exporter_image() {
  local image=$IMG_NODE_EXPORTER deb
  deb=$(cached_deb prometheus-node-exporter)
  if [ -z "$deb" ] && [ "$(image_label "$image" journal.bench.recipe)" = "$RECIPE_VERSION" ]; then
    say "image $image à jour (paquet source absent du cache, image conservée)"
    return
  fi
  [ -n "$deb" ] || deb=$(download_deb prometheus-node-exporter)
  local hash; hash=$(inputs_hash node-exporter "$deb")
  if [ "$(image_label "$image" journal.bench.hash)" = "$hash" ]; then
    say "image $image à jour ($(basename "$deb"))"
    return
  fi
  say "construction de l'image $image à partir de $(basename "$deb")…"
  local x root
  x=$(mktemp -d); dpkg-deb -x "$deb" "$x"
  root=$(new_rootfs)
  copy_with_libs "$x/usr/bin/prometheus-node-exporter" "$root"
  mv "$root/bin/prometheus-node-exporter" "$root/bin/node_exporter"
  rm -rf "$x"
  import_image "$root" "$image" "$hash" \
    "LABEL journal.bench.recipe=$RECIPE_VERSION journal.bench.source=$(basename "$deb")" \
    'EXPOSE 9100' \
    'USER nobody' \
    'ENTRYPOINT ["/bin/node_exporter"]'
}

ensure_prometheus_image
ensure_alertmanager_image
ensure_node_exporter_image
ensure_standin_image "$IMG_CADVISOR" "$BIN_DIR/cadvisor-standin" \
  'EXPOSE 8080' 'ENTRYPOINT ["/bin/cadvisor-standin"]'
# The same stand-in, exporting only unnamed cgroups (old cAdvisor on Engine 29).
ensure_standin_image "$IMG_CADVISOR_UNNAMED" "$BIN_DIR/cadvisor-standin" \
  'EXPOSE 8080' 'ENV CADVISOR_STANDIN_MODE=unnamed' 'ENTRYPOINT ["/bin/cadvisor-standin"]'
ensure_standin_image "$IMG_CRASHLOOP" "$BIN_DIR/crashloop-standin" \
  'ENTRYPOINT ["/bin/crashloop-standin"]'
ensure_standin_image "$IMG_GRAFANA" "$BIN_DIR/grafana-standin" \
  'EXPOSE 3000' 'WORKDIR /' 'ENTRYPOINT ["/bin/grafana-standin"]'

# ---------------------------------------------------------------------------
# Chromium : le test du livre l'ouvre dans un vrai navigateur (mode headless).
# ---------------------------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1; then
  say "installation de Chromium (paquet Debian chromium)"
  apt_update_once
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    || die "installation de chromium impossible"
fi

# ---------------------------------------------------------------------------
# Outils du script de mesure benches/speed.sh (lancé par la CI).
# ---------------------------------------------------------------------------
missing_tools=()
for tool in hyperfine jq curl; do
  command -v "$tool" >/dev/null 2>&1 || missing_tools+=("$tool")
done
if [ ${#missing_tools[@]} -gt 0 ]; then
  say "installation de ${missing_tools[*]} (paquets Debian)"
  apt_update_once
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_tools[@]}" >/dev/null \
    || die "installation de ${missing_tools[*]} impossible"
fi

elapsed_ms=$(( ($(date +%s%N) - START_TS) / 1000000 ))
say "prêt en $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000))) s — faire : source $BENCH_DIR/env.sh"
