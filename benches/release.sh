#!/usr/bin/env bash
# Size of the release binary and time of a cold release build (see
# BENCHMARKS.md, « Binaire de version »). Exports the committed tree (git
# archive, REV, default HEAD) to a scratch folder and builds it there from
# nothing but the local registry cache, so the project's own target/ is left
# alone. Prints the figures; asserts nothing.
#   benches/release.sh [DOSSIER] [REV]
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-/tmp/journal-release-bench}
REV=${2:-HEAD}
rm -rf "$WORK" && mkdir -p "$WORK"
git archive "$REV" | tar -x -C "$WORK"
cd "$WORK"
echo "révision : $(git -C "$OLDPWD" rev-parse --short "$REV") ; charge avant : $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "construction à froid : %e s écoulées, %U s utilisateur + %S s système, %M Kio de mémoire au plus" \
  cargo build --release --locked --offline 2>&1 | grep -E "construction|Finished|error" || true
echo "charge après : $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binaire : $(stat -c %s target/release/journal) octets ($(du -h target/release/journal | cut -f1))"
target/release/journal --version
