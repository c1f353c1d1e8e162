//! One search index (the main book's documentation, a past year, or a
//! month of the latest year) and its files, as the search page reads them:
//!
//! - `entree.json`: the number of documents, their mean length, what each
//!   document is for the filters and the date sort (`d`: date in seconds
//!   or `null`, year, indexes of its type, part and status in `valeurs`,
//!   length in words), and the word files that exist (`cles`);
//! - `mots/<clé>.json`: the words that start with the two characters whose
//!   UTF-8 bytes, in hexadecimal, are `<clé>` (`6465` for « de… »), sorted,
//!   each as `[mot, racine, postings]`: the folded word, its stem (the
//!   number of UTF-16 units of the word it keeps when it is a start of it,
//!   else the stem itself), and its documents and weights as
//!   `[doc, poids, écart, poids, …]` (each document after the first as
//!   the gap from the one before);
//! - `textes/<n>.json`: documents `n × 16` to `n × 16 + 15`, each as
//!   `[url, titre, quand, type, partie, statut, texte]`, for the results
//!   shown (excerpt, metadata).
//!
//! A word's weight in a document is the number of times it appears there,
//! a heading's words counting three times; the document's type, part and
//! status are words of it too. The page ranks with BM25 over all merged
//! indexes.
//!
//! It does not read pages (`search`), nor cut words (`search_text`).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::{Value, json};

use super::files::{create_dir, write_file};
use super::search_text::{Stems, Text, fold, kept, words};
use crate::error::Result;

/// Version of the layout (the search page checks it).
pub const VERSION: u32 = 1;

/// Documents per text file.
pub const DOCS_PER_TEXT: usize = 16;

/// How much more a word of a heading counts than one of the text.
const HEADING_WEIGHT: u32 = 3;

/// One search result: a journal entry or a documentation page.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Doc {
    /// From the site's root: `/mois/2024-03/2024-03-05.html#<id>`.
    pub url: String,
    pub title: String,
    /// When, as the book writes it (« 5 mars 2024 à 08:00 »).
    pub when: String,
    /// « exécution », « note », « documentation »…
    pub kind: String,
    pub part: String,
    pub status: String,
    /// RFC 3339, empty for a documentation page.
    pub date: String,
    pub text: Text,
}

/// The filter fields of [`Doc`], as the page offers them.
const FIELDS: [&str; 3] = ["type", "partie", "statut"];

/// An index being built.
#[derive(Default)]
pub struct Index {
    stems: Stems,
    /// A word as written in a text → its folded word's number.
    tokens: HashMap<Box<str>, u32>,
    /// Folded word → its number.
    numbers: HashMap<String, u32>,
    /// By number: the folded word and its folded stem.
    words: Vec<(String, String)>,
    /// By word number: `(document, weight)`, documents ascending.
    postings: Vec<Vec<(u32, u32)>>,
    /// By document: `[date, year, type, part, status, length]`.
    rows: Vec<Value>,
    /// By document: what a result shows.
    shown: Vec<Value>,
    /// Per filter field: its values, in order of appearance.
    values: [Vec<String>; 3],
    total_length: u64,
}

impl Index {
    /// Adds `doc`: its words, and what the page shows and filters of it.
    pub fn add(&mut self, doc: Doc) {
        let id = self.rows.len() as u32;
        let mut counts: Vec<(u32, u32)> = Vec::new();
        let mut headings = doc.text.headings.iter().peekable();
        let mut length = 0u32;
        for (at, word) in words(&doc.text.text) {
            if !kept(word) {
                continue;
            }
            while headings.next_if(|h| h.end <= at).is_some() {}
            let weight = if headings.peek().is_some_and(|h| h.start <= at) {
                HEADING_WEIGHT
            } else {
                1
            };
            counts.push((self.number(word), weight));
            length += 1;
        }
        for field in [&doc.kind, &doc.part, &doc.status] {
            for (_, word) in words(field) {
                if kept(word) {
                    counts.push((self.number(word), 1));
                }
            }
        }
        counts.sort_unstable_by_key(|c| c.0);
        let mut i = 0;
        while i < counts.len() {
            let (word, mut weight) = counts[i];
            i += 1;
            while i < counts.len() && counts[i].0 == word {
                weight += counts[i].1;
                i += 1;
            }
            self.postings[word as usize].push((id, weight));
        }
        let seconds = chrono::DateTime::parse_from_rfc3339(&doc.date)
            .ok()
            .map(|d| d.timestamp());
        let year: u32 = doc.date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        let kind = self.value(0, &doc.kind);
        let part = self.value(1, &doc.part);
        let status = self.value(2, &doc.status);
        self.rows
            .push(json!([seconds, year, kind, part, status, length]));
        self.total_length += u64::from(length);
        self.shown.push(json!([
            doc.url,
            doc.title,
            doc.when,
            doc.kind,
            doc.part,
            doc.status,
            doc.text.text
        ]));
    }

    /// The index of `value` among the values of filter field `field`
    /// (`-1` when empty), added when new.
    fn value(&mut self, field: usize, value: &str) -> i64 {
        if value.is_empty() {
            return -1;
        }
        let values = &mut self.values[field];
        let i = values.iter().position(|v| v == value).unwrap_or_else(|| {
            values.push(value.to_string());
            values.len() - 1
        });
        i as i64
    }

    /// The number of the folded word of `token`, added when new.
    fn number(&mut self, token: &str) -> u32 {
        if let Some(&n) = self.tokens.get(token) {
            return n;
        }
        let folded = fold(token);
        let n = match self.numbers.get(&folded) {
            Some(&n) => n,
            None => {
                let n = self.words.len() as u32;
                let stem = self.stems.of(token);
                self.numbers.insert(folded.clone(), n);
                self.words.push((folded, stem));
                self.postings.push(Vec::new());
                n
            }
        };
        self.tokens.insert(token.into(), n);
        n
    }

    /// Writes the index's files into `out` (an empty or absent folder).
    pub fn write(self, out: &Path) -> Result<()> {
        create_dir(&out.join("mots"))?;
        create_dir(&out.join("textes"))?;
        let mut shards: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (n, (word, _)) in self.words.iter().enumerate() {
            shards.entry(key(word)).or_default().push(n as u32);
        }
        for (k, numbers) in shards.iter_mut() {
            numbers
                .sort_unstable_by(|a, b| self.words[*a as usize].0.cmp(&self.words[*b as usize].0));
            let list: Vec<Value> = numbers
                .iter()
                .map(|&n| {
                    let (word, stem) = &self.words[n as usize];
                    let root = if word.starts_with(stem.as_str()) {
                        json!(stem.encode_utf16().count())
                    } else {
                        json!(stem)
                    };
                    let mut flat = Vec::with_capacity(self.postings[n as usize].len() * 2);
                    let mut last = 0;
                    for (i, &(doc, weight)) in self.postings[n as usize].iter().enumerate() {
                        flat.push(if i == 0 { doc } else { doc - last });
                        flat.push(weight);
                        last = doc;
                    }
                    json!([word, root, flat])
                })
                .collect();
            write_json(
                &out.join("mots").join(format!("{k}.json")),
                &Value::Array(list),
            )?;
        }
        for (n, chunk) in self.shown.chunks(DOCS_PER_TEXT).enumerate() {
            write_json(
                &out.join("textes").join(format!("{n}.json")),
                &Value::Array(chunk.to_vec()),
            )?;
        }
        let docs = self.rows.len();
        let mean = if docs == 0 {
            0.0
        } else {
            self.total_length as f64 / docs as f64
        };
        let values: serde_json::Map<String, Value> = FIELDS
            .iter()
            .zip(self.values.iter())
            .map(|(f, v)| (f.to_string(), json!(v)))
            .collect();
        let entry = json!({
            "version": VERSION,
            "docs": docs,
            "longueur": (mean * 10.0).round() / 10.0,
            "par_texte": DOCS_PER_TEXT,
            "valeurs": values,
            "d": self.rows,
            "cles": shards.keys().collect::<Vec<_>>(),
        });
        write_json(&out.join("entree.json"), &entry)
    }
}

/// The word file of a folded word: its first two characters' UTF-8 bytes
/// in hexadecimal.
pub fn key(word: &str) -> String {
    let end = word.char_indices().nth(2).map_or(word.len(), |(i, _)| i);
    word[..end].bytes().map(|b| format!("{b:02x}")).collect()
}

fn write_json(path: &Path, value: &Value) -> Result<()> {
    write_file(path, value.to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::search_text::{fold, html_text};

    fn doc(url: &str, date: &str, kind: &str, html: &str) -> Doc {
        Doc {
            url: url.into(),
            title: format!("Titre {url}"),
            when: "5 mars 2024 à 08:00".into(),
            kind: kind.into(),
            part: "Partie 6".into(),
            status: "réussi".into(),
            date: date.into(),
            text: html_text(html),
        }
    }

    #[test]
    fn the_files_hold_words_stems_weighted_postings_and_texts() {
        let mut index = Index::default();
        index.add(doc(
            "/a",
            "2024-03-05T08:00:00+01:00",
            "note",
            "<h2>Échéance</h2><p>l’échéance du certificat</p>",
        ));
        index.add(doc("/b", "", "", "<p>Deux échéances, une échéance.</p>"));
        for n in 2..20 {
            index.add(doc(&format!("/{n}"), "", "note", "<p>autre</p>"));
        }
        let dir = tempfile::tempdir().unwrap();
        index.write(dir.path()).unwrap();
        let read = |p: &str| -> Value {
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(p)).unwrap()).unwrap()
        };
        let entry = read("entree.json");
        assert_eq!(entry["version"], 1);
        assert_eq!(entry["docs"], 20);
        // Date in seconds, year, type, part, status, length.
        assert_eq!(entry["d"][0], json!([1709622000, 2024, 0, 0, 0, 4]));
        assert_eq!(entry["d"][1], json!([null, 0, -1, 0, 0, 4]));
        assert_eq!(entry["valeurs"]["type"], json!(["note"]));
        let cles = entry["cles"].as_array().unwrap();
        assert!(cles.contains(&json!(key("echeance"))));
        let words = read(&format!("mots/{}.json", key("echeance")));
        let words = words.as_array().unwrap();
        let get = |w: &str| words.iter().find(|e| e[0] == w).cloned().unwrap();
        // « échéance »: document 0 (heading ×3 + text) and 1; the gap
        // from 0 to 1 is 1. Its stem « echeanc » is its first 7 units.
        assert_eq!(get("echeance"), json!(["echeance", 7, [0, 4, 1, 1]]));
        assert_eq!(get("echeances"), json!(["echeances", 7, [1, 1]]));
        // Type, part and status are words of the document too.
        let notes = read(&format!("mots/{}.json", key("note")));
        assert!(notes.as_array().unwrap().iter().any(|e| e[0] == "note"));
        // Sixteen documents per text file.
        let texts = read("textes/1.json");
        assert_eq!(texts.as_array().unwrap().len(), 4);
        assert_eq!(
            read("textes/0.json")[0][6],
            "Échéance l’échéance du certificat"
        );
        assert_eq!(key(&fold("Échéance")), "6563");
        assert_eq!(key("a"), "61");
    }
}
