//! The one JSON shape of a journal entry, shared by `journal list` and
//! `journal montre` (`--format json|jsonl`): `id`, `fichier`, then every
//! front-matter field under its on-disk name — always present (`null`, `[]`
//! or `{}` when the entry has none), times in RFC 3339 — and, for `montre`,
//! `corps`. The README's « Sorties JSON » documents it.
//!
//! It only shapes values; the commands print them.

use serde_json::{Map, Value, json};

use crate::project::Project;
use crate::store::Entry;

/// What an absent front-matter key becomes.
type Absent = fn() -> Value;

/// Front-matter keys the file may omit, and what an absent one becomes.
const DEFAULTS: [(&str, Absent); 8] = [
    ("partie", || Value::Null),
    ("tags", || json!([])),
    ("duree_ms", || Value::Null),
    ("etapes", || json!([])),
    ("origine", || json!({})),
    ("pieces_jointes", || json!([])),
    ("execution", || Value::Null),
    ("revisions", || json!([])),
];

/// An entry as a JSON object; `with_body` adds `corps` (the Markdown body).
pub fn entry(project: &Project, e: &Entry, with_body: bool) -> Value {
    let mut map = Map::new();
    map.insert("id".into(), Value::String(e.id()));
    map.insert("fichier".into(), Value::String(project.display(&e.path)));
    if let Ok(Value::Object(front)) = serde_json::to_value(&e.front) {
        map.extend(front);
    }
    for (key, default) in DEFAULTS {
        map.entry(key).or_insert_with(default);
    }
    let origin = map.get_mut("origine").and_then(Value::as_object_mut);
    if let Some(o) = origin {
        for key in ["auteur", "hote", "moteur_docker", "git"] {
            o.entry(key).or_insert(Value::Null);
        }
    }
    if with_body {
        map.insert("corps".into(), Value::String(e.body.clone()));
    }
    Value::Object(map)
}

/// Values as one JSON document (`json`: an array, pretty-printed) or one
/// compact object per line (`jsonl`).
pub fn render(values: &[Value], lines: bool) -> String {
    if lines {
        values
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        serde_json::to_string_pretty(values).unwrap_or_else(|_| "[]".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{EntryKind, FrontMatter, Origin, Status};

    #[test]
    fn every_field_is_present_and_times_are_rfc3339() {
        let t = tempfile::tempdir().unwrap();
        let project = Project::open(Some(t.path())).unwrap();
        let e = Entry {
            path: t
                .path()
                .join("journal/2026-11-24T100000-000-note-ab12cd.md"),
            front: FrontMatter {
                kind: EntryKind::Note,
                titre: "Titre".into(),
                partie: None,
                horodatage: chrono::DateTime::parse_from_rfc3339("2026-11-24T10:00:00+01:00")
                    .unwrap(),
                statut: Status::Recorded,
                tags: vec![],
                duree_ms: None,
                etapes: vec![],
                origine: Origin::default(),
                pieces_jointes: vec![],
                execution: None,
                revisions: vec![],
            },
            body: "Texte\n".into(),
            body_line: 12,
        };
        let v = entry(&project, &e, true);
        assert_eq!(v["id"], "2026-11-24T100000-000-note-ab12cd");
        assert_eq!(v["fichier"], "journal/2026-11-24T100000-000-note-ab12cd.md");
        assert_eq!(v["horodatage"], "2026-11-24T10:00:00+01:00");
        assert_eq!(v["type"], "note");
        assert_eq!(v["statut"], "consigné");
        assert!(v["partie"].is_null());
        assert_eq!(v["tags"], json!([]));
        assert!(v["origine"]["auteur"].is_null());
        assert_eq!(v["corps"], "Texte\n");
        let l = render(&[v.clone(), v], true);
        assert_eq!(l.lines().count(), 2);
    }
}
