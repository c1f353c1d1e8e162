#!/usr/bin/env bash
# Banc de test Docker : supprime conteneurs, volumes et réseaux laissés par les
# tests, c.-à-d. ceux dont le projet Compose (label com.docker.compose.project)
# commence par « journal-test- ». Ne touche à rien d'autre.
set -euo pipefail
PREFIX=${JOURNAL_TEST_PROJECT_PREFIX:-journal-test-}
case "$PREFIX" in journal-test-*) ;; *) echo "banc : ERREUR : préfixe refusé : $PREFIX" >&2; exit 1 ;; esac
say() { printf 'banc : %s\n' "$*" >&2; }

if ! docker info >/dev/null 2>&1; then
  say "moteur Docker indisponible : rien à nettoyer"
  exit 0
fi

# Ne garde que les objets dont la valeur du label commence par le préfixe.
pick() { # type (container|volume|network) → ids
  local kind=$1 fmt
  case $kind in
    container) fmt='{{.ID}} {{.Label "com.docker.compose.project"}}'; docker ps -a --filter label=com.docker.compose.project --format "$fmt" ;;
    volume)    fmt='{{.Name}} {{.Label "com.docker.compose.project"}}'; docker volume ls --filter label=com.docker.compose.project --format "$fmt" ;;
    network)   fmt='{{.ID}} {{.Label "com.docker.compose.project"}}'; docker network ls --filter label=com.docker.compose.project --format "$fmt" ;;
  esac | while read -r id project; do
    case "$project" in "$PREFIX"*) echo "$id" ;; esac
  done
}

n=0
for id in $(pick container); do docker rm -f -v "$id" >/dev/null && n=$((n + 1)); done
say "conteneurs supprimés : $n"
n=0
for id in $(pick volume); do docker volume rm -f "$id" >/dev/null && n=$((n + 1)); done
say "volumes supprimés : $n"
n=0
for id in $(pick network); do docker network rm "$id" >/dev/null && n=$((n + 1)); done
say "réseaux supprimés : $n"
