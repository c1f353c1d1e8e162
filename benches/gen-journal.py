#!/usr/bin/env python3
"""Generates a benchmark project: N journal entries (2 executions of
partie-6 for 1 note), PER_DAY entries per day (default 10: 10,000 entries
over 1,000 days), with a documentation page.

Usage: gen-journal.py N DIR [PER_DAY]   (DIR must not exist or be empty)

It only writes files under DIR/journal; it does not run `journal`."""

import os
import sys
from datetime import datetime, timedelta, timezone

EXECUTION = """---
type: execution
titre: Partie 6 — Supervision
partie: partie-6
horodatage: {ts}
statut: {statut}
tags: []
duree_ms: {duree}
etapes:
- id: compose-services
  titre: Ajout des services au fichier Compose
  statut: réussi
  duree_ms: 120
- id: demarrage
  titre: Démarrage des conteneurs
  statut: {statut}
  duree_ms: 31400
- id: cibles-prometheus
  titre: Vérification des cibles Prometheus
  statut: déjà fait
  duree_ms: 16730
---

# Partie 6 — Supervision

*Exécution n° {i}, durée 48,2 s.*

## Étapes

| Étape | Statut | Durée |
|---|---|---|
| Ajout des services au fichier Compose | réussi | 120 ms |
| Démarrage des conteneurs | {statut} | 31,4 s |
| Vérification des cibles Prometheus | déjà fait | 16,7 s |

## Cibles Prometheus

```text
cadvisor    up
prometheus  up
```

Voir [les étapes](#étapes) et la [documentation](documentation/partie-6.md#vérifications).
"""

NOTE = """---
type: note
titre: Note d'exploitation n° {i}
{partie}horodatage: {ts}
statut: consigné
tags:
- bench
---

# Note d'exploitation n° {i}

*Note manuelle.*

Redémarrage du service après la maintenance hebdomadaire ; rien à signaler.
"""

DOC = """# Supervision : Prometheus, Grafana et cAdvisor

## Services

Prometheus, Grafana, cAdvisor.

## Vérifications

Les cibles doivent être à l'état `up`.
"""


def main():
    n, root = int(sys.argv[1]), sys.argv[2]
    per_day = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    journal = os.path.join(root, "journal")
    os.makedirs(os.path.join(journal, "documentation"), exist_ok=True)
    with open(os.path.join(journal, "documentation", "partie-6.md"), "w") as f:
        f.write(DOC)
    tz = timezone(timedelta(hours=1))
    # The last day is in 2026, whatever N: no entry in the future.
    days = -(-n // per_day)
    start = datetime(2026, 11, 1, 8, 0, 0, tzinfo=tz) - timedelta(days=days)
    for i in range(n):
        t = start + timedelta(days=i // per_day, minutes=(i % per_day) * (600 // per_day))
        ts = t.isoformat()
        stamp = t.strftime("%Y-%m-%dT%H%M%S") + "-000"
        suffix = format(i, "06x")
        if i % 3 == 2:
            partie = "partie: partie-6\n" if i % 2 else ""
            name = f"{stamp}-note-{suffix}.md"
            text = NOTE.format(i=i, ts=ts, partie=partie)
        else:
            statut = "échoué" if i % 7 == 0 else "réussi"
            name = f"{stamp}-execution-{suffix}.md"
            text = EXECUTION.format(i=i, ts=ts, statut=statut, duree=48250 + i)
        with open(os.path.join(journal, name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
