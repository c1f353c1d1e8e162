#!/usr/bin/env python3
"""Generates a realistic benchmark journal from the real entries of
benches/echantillons/ (written by the tool itself on the Docker bench, see
benches/echantillons.sh): N entries over YEARS years (default 3, the last in
October 2026), RUNS of them executions (default 0.15), the rest notes.

- executions: the real run entries (partie-6 cold, partie-6 « déjà fait »,
  partie-6-alertes, a failed partie-6), with their SVG chart, full text and
  tables; each copy gets its own date, file name, author and duration;
- notes: the real notes (short, with attachments: an image and a log, and a
  corrected one with its previous version), each copy with its own date,
  title, author, and a body of realistic length (a few hundred bytes to a
  few KB, a few longer ones), the attachments and revisions copied with it.

Usage: gen-journal-reel.py N DIR [YEARS] [RUNS]   (DIR must not exist or be empty)
Deterministic (fixed seed). It only writes files under DIR/journal."""

import os
import random
import re
import shutil
import sys
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, "echantillons")
STEM = re.compile(r"^(\d{4}-\d\d-\d\dT\d{6}-\d{3})-(execution|note)-([0-9a-z]{6})$")

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]
AUTHORS = ["Camille Martin", "Yanis Benali", "Léa Dubois", "Hugo Lefèvre", "Inès Moreau",
           "Thomas Girard", "Sarah Nguyen", "Julien Roux"]
SAMPLE_AUTHORS = ["Camille Martin", "Yanis Benali", "Léa Dubois"]
TITLES = [
    "Redémarrage de Grafana après la mise à jour du noyau",
    "Pic de CPU sur le nœud de supervision pendant la sauvegarde nocturne",
    "Espace disque de Prometheus : rétention ramenée à 15 jours",
    "Tableau de bord cAdvisor : panneau réseau corrigé",
    "Wiki.js ne répond plus après la mise à jour de l'image",
    "Cible cadvisor en erreur pendant cinq minutes",
    "Rotation des journaux Docker activée sur l'hôte",
    "Mot de passe administrateur de Grafana renouvelé",
    "Portainer mis à jour en 2.19.4",
    "Alerte « mémoire élevée » sur Zammad : fausse alerte",
    "Sauvegarde hebdomadaire vérifiée",
    "Certificat TLS du proxy renouvelé",
    "Migration de la base OCS Inventory vers MariaDB 10.11",
    "Capacité : la mémoire de l'hôte atteint 80 %",
    "Exercice de restauration de Zammad",
]
SENTENCES = [
    "Le service a redémarré sans erreur et les cibles Prometheus sont revenues à l'état up en moins d'une minute.",
    "cAdvisor a signalé une hausse de la mémoire du conteneur zammad-railsserver pendant l'import des tickets.",
    "Aucune perte d'échantillons n'a été constatée dans Prometheus sur la période.",
    "La sauvegarde de la base a pris vingt-deux minutes, contre quinze la semaine précédente.",
    "Le tableau de bord « Cadvisor exporter » montre un pic d'entrées-sorties disque à 02:10.",
    "Après vérification, l'alerte venait d'un seuil trop bas ; il est relevé à 0,9 cœur.",
    "La mise à jour de l'image a été testée d'abord sur la recette, puis appliquée en production.",
    "Les journaux du conteneur ne montrent aucune erreur après le redémarrage.",
    "Le volume grafana_data occupe 412 Mio ; rien à purger pour l'instant.",
    "Wiki.js a été relancé à la main ; l'origine du blocage reste à trouver.",
    "Prometheus conserve maintenant quinze jours de métriques, soit environ 6 Gio sur le disque.",
    "À faire : documenter la procédure dans le wiki et prévenir l'équipe d'astreinte.",
]
TABLE = """| Heure | CPU (cœurs) | Mémoire | Disque |
|---|---:|---:|---:|
| 02:00 | 0,4 | 1,2 Gio | 61 % |
| 02:10 | 1,9 | 1,6 Gio | 61 % |
| 02:20 | 2,0 | 1,7 Gio | 62 % |
| 02:30 | 0,5 | 1,2 Gio | 62 % |
"""


def french_date(t):
    return f"{t.day} {MONTHS[t.month - 1]} {t.year}"


def load_samples():
    runs, notes = [], []
    for name in sorted(os.listdir(SAMPLES)):
        if not name.endswith(".md"):
            continue
        stem = name[:-3]
        m = STEM.match(stem)
        if not m:
            continue
        with open(os.path.join(SAMPLES, name), encoding="utf-8") as f:
            text = f.read()
        extra = [n for n in os.listdir(SAMPLES) if n.startswith(stem + "-")]
        revisions_dir = os.path.join(SAMPLES, "revisions")
        revisions = [n for n in os.listdir(revisions_dir) if n.startswith(stem + ".")] \
            if os.path.isdir(revisions_dir) else []
        ts = re.search(r"^horodatage: (\S+)$", text, re.M).group(1)
        when = datetime.fromisoformat(ts[:26].rstrip("Z") if "." in ts else ts.rstrip("Z"))
        sample = {"stem": stem, "text": text, "extra": extra, "revisions": revisions,
                  "date": french_date(when), "day": f"{when:%Y-%m-%d}T"}
        (runs if m.group(2) == "execution" else notes).append(sample)
    if not runs or not notes:
        sys.exit("benches/echantillons/ : il faut au moins une exécution et une note "
                 "(benches/echantillons.sh)")
    return runs, notes


def note_body(rng):
    """A body of realistic length: mostly a few hundred bytes, some a few
    KB (with a table), a few longer."""
    r = rng.random()
    if r < 0.6:
        k = rng.randint(1, 3)
    elif r < 0.93:
        k = rng.randint(4, 12)
    else:
        k = rng.randint(20, 45)
    paragraphs = []
    for _ in range(k):
        paragraphs.append(" ".join(rng.choice(SENTENCES) for _ in range(rng.randint(1, 4))))
    if k >= 4 and rng.random() < 0.5:
        paragraphs.insert(rng.randint(1, len(paragraphs)), TABLE.rstrip("\n"))
    return "\n\n".join(paragraphs)


def main():
    n, root = int(sys.argv[1]), sys.argv[2]
    years = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
    share = float(sys.argv[4]) if len(sys.argv) > 4 else 0.15
    rng = random.Random(19)
    runs, notes = load_samples()
    journal = os.path.join(root, "journal")
    os.makedirs(os.path.join(journal, "revisions"), exist_ok=True)
    shutil.copytree(os.path.join(SAMPLES, "documentation"),
                    os.path.join(journal, "documentation"), dirs_exist_ok=True)
    tz = timezone(timedelta(hours=1))
    end = datetime(2026, 10, 31, 18, 0, 0, tzinfo=tz)
    span = timedelta(days=365.25 * years)
    start = end - span
    # Instants spread over the period, on working hours, weekdays busier.
    instants = []
    while len(instants) < n:
        t = start + timedelta(seconds=rng.uniform(0, span.total_seconds()))
        if t.weekday() >= 5 and rng.random() < 0.7:
            continue
        t = t.replace(hour=rng.randint(7, 19), minute=rng.randint(0, 59),
                      second=rng.randint(0, 59), microsecond=rng.randint(0, 999) * 1000)
        instants.append(t)
    instants.sort()
    run_weights = [0.25, 0.45, 0.15, 0.15][: len(runs)]
    # Most notes are plain text; one in ten has attachments, one in ten a
    # correction.
    note_weights = [0.1 if s["extra"] or s["revisions"] else 0.8 for s in notes]
    used = set()
    for t in instants:
        is_run = rng.random() < share
        sample = (rng.choices(runs, weights=run_weights)[0] if is_run
                  else rng.choices(notes, weights=note_weights)[0])
        kind = "execution" if is_run else "note"
        while True:
            suffix = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))
            stem = f"{t:%Y-%m-%dT%H%M%S}-{t.microsecond // 1000:03d}-{kind}-{suffix}"
            if stem not in used:
                used.add(stem)
                break
        text = sample["text"].replace(sample["stem"], stem)
        text = re.sub(r"^horodatage: .*$", f"horodatage: {t.isoformat()}", text, count=1,
                      flags=re.M)
        text = text.replace(sample["date"], french_date(t)).replace(sample["day"], f"{t:%Y-%m-%d}T")
        author = rng.choice(AUTHORS)
        for a in SAMPLE_AUTHORS:
            text = text.replace(a, author)
        if is_run:
            text = re.sub(r"^duree_ms: (\d+)$",
                          lambda m: f"duree_ms: {int(int(m.group(1)) * rng.uniform(0.6, 1.8))}",
                          text, count=1, flags=re.M)
        else:
            title = rng.choice(TITLES)
            old_title = re.search(r"^# (.*)$", text, re.M).group(1)
            text = text.replace(old_title, title)
            text = re.sub(r"^titre: .*$", f"titre: '{title.replace(chr(39), chr(39) * 2)}'",
                          text, count=1, flags=re.M)
            # The body: after the « Note manuelle » line, before the annexes.
            head, sep, rest = text.partition(".*\n\n")
            annex = rest.find("<!-- annexes -->")
            tail = rest[annex:] if annex >= 0 else ""
            text = head + sep + note_body(rng) + "\n" + ("\n" + tail if tail else "")
        with open(os.path.join(journal, stem + ".md"), "w", encoding="utf-8") as f:
            f.write(text)
        for name in sample["extra"]:
            shutil.copyfile(os.path.join(SAMPLES, name),
                            os.path.join(journal, name.replace(sample["stem"], stem)))
        for name in sample["revisions"]:
            src = os.path.join(SAMPLES, "revisions", name)
            with open(src, encoding="utf-8") as f:
                rev = f.read().replace(sample["stem"], stem)
            with open(os.path.join(journal, "revisions", name.replace(sample["stem"], stem)),
                      "w", encoding="utf-8") as f:
                f.write(rev)


if __name__ == "__main__":
    main()
