//! Reading, generating and checking only the months that changed.
//!
//! `journal build` keeps in `book/.cache/` (written atomically at the end
//! of a build, versioned, ignored when unreadable or from another version,
//! executable or set of templates):
//! - `index.json`: the name, size and modification time of every valid
//!   entry with its front matter, and whether each image can run script;
//! - `mois/<mois>.json`: for each month book, the key of what it was
//!   generated from (its entries' names, sizes and times, their views as
//!   the pages show them — titles, statuses, notes about a run in another
//!   month… —, the parts, the neighbouring months, the images published as
//!   text, which runs have a narrow resource chart), the entry ids its links
//!   were looked up for and what they gave, its pages, the fingerprint of
//!   its rendering, the problems the check found in it and its links
//!   leading out of it with what they gave;
//! - `mois/<mois>.ancres.json`: the anchors of its pages, read only when a
//!   link from elsewhere leads into them.
//!
//! A build (or `journal check`) then reads only the entries whose file
//! changed, builds the model of the whole journal from the kept front
//! matters, and generates, checks and renders only the months whose key
//! changed (or whose looked-up links, rendering or outgoing links no longer
//! give the same): the other months are kept as they are, with their
//! problems. The result is the same as a full build (`--complet`, which
//! ignores the cache), which the integration tests compare byte for byte.
//!
//! It does not render (see `render`) and never writes into `journal/`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::check::{Outgoing, Outside, Problem, Site};
use super::load::{can_run_script, complete, load_texts, read_all};
use super::model::Model;
use super::paths::{ENTRIES_DIR, MONTHS_DIR, file_name, month_dir};
use super::sources::{Input, PartInfo, SourceEntry, Sources};
use crate::error::{Error, Result};
use crate::store::{Entry, FrontMatter, Store};
use crate::templates::Templates;

/// The cache folder, under `book/`.
pub const CACHE_DIR: &str = ".cache";

/// The format of the cache: another value, and the cache is ignored.
const VERSION: u32 = 1;

/// A valid entry as last read.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Kept {
    taille: u64,
    mtime: u64,
    front: FrontMatter,
}

/// `book/.cache/index.json`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Index {
    version: u32,
    /// The executable's and templates' fingerprint.
    global: String,
    entrees: BTreeMap<String, Kept>,
    /// Image path (under `journal/`) → size, time, can run script.
    images: BTreeMap<String, (u64, u64, bool)>,
}

/// `book/.cache/mois/<mois>.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct MonthCache {
    version: u32,
    cle: String,
    /// Entry id looked up by a link → its permalink then.
    liens: BTreeMap<String, Option<(String, String)>>,
    rendu: String,
    pages: Vec<String>,
    entrees: Vec<String>,
    problemes: Vec<(String, usize, String)>,
    sortants: Vec<Outgoing>,
}

/// What [`prepare`] found and generated.
pub struct Prepared {
    /// Every entry, without its text (see `sources`).
    pub input: Input,
    /// The main book and the generated months, the others kept; without
    /// the entries' copies (`check_only`: checked, no longer needed).
    pub sources: Sources,
    /// Invalid entries, then the check's problems (sorted).
    pub problems: Vec<Problem>,
    /// Months generated this time, and kept.
    pub generated: usize,
    pub kept: usize,
    update: Update,
}

/// What [`save`] writes once the build is rendered.
struct Update {
    index: Index,
    /// Each generated month's cache and its anchors (JSON, ready to write).
    months: BTreeMap<String, (MonthCache, Vec<u8>)>,
    all: BTreeSet<String>,
}

fn cache_dir(book_dir: &Path) -> PathBuf {
    book_dir.join(CACHE_DIR)
}

fn month_file(book_dir: &Path, month: &str, ext: &str) -> PathBuf {
    cache_dir(book_dir)
        .join("mois")
        .join(format!("{month}.{ext}"))
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Option<T> {
    let bytes = fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn stat(path: &Path) -> Option<(u64, u64)> {
    let m = fs::metadata(path).ok()?;
    let t = m.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some((m.len(), u64::try_from(t.as_nanos()).unwrap_or(u64::MAX)))
}

fn hex(h: Sha256) -> String {
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the journal, generates and checks what changed since the last
/// build recorded in `book/.cache` (everything when `full`, or without a
/// usable cache).
#[allow(clippy::too_many_arguments)] // the build's inputs, each named at both call sites
pub fn prepare(
    journal_dir: &Path,
    book_dir: &Path,
    templates_dir: &Path,
    templates: &Templates,
    parts: Vec<PartInfo>,
    built_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    health: Vec<super::health::HealthMonth>,
    full: bool,
    display: &dyn Fn(&Path) -> String,
) -> Result<Prepared> {
    let global = super::manifest::inputs_fingerprint(&[templates_dir.to_path_buf()])?;
    let old: Index = (!full)
        .then(|| read_json::<Index>(&cache_dir(book_dir).join("index.json")))
        .flatten()
        .filter(|i| i.version == VERSION && i.global == global)
        .unwrap_or_default();

    // Entries: the kept front matter of unchanged files, the others read.
    let (paths, refused) = Store::new(journal_dir).scan()?;
    let mut stats: HashMap<PathBuf, (u64, u64)> = HashMap::with_capacity(paths.len());
    let mut entries = Vec::with_capacity(paths.len());
    let mut to_read = Vec::new();
    for path in paths {
        let st = stat(&path);
        let name = file_name(&path);
        match (st, old.entrees.get(&name)) {
            (Some(st), Some(k)) if (k.taille, k.mtime) == st => {
                stats.insert(path.clone(), st);
                entries.push(SourceEntry {
                    entry: Entry {
                        path,
                        front: k.front.clone(),
                        body: String::new(),
                        body_line: 0,
                    },
                    text: String::new(),
                });
            }
            (st, _) => {
                if let Some(st) = st {
                    stats.insert(path.clone(), st);
                }
                to_read.push(path);
            }
        }
    }
    let (read, entry_errors) = read_all(&to_read);
    entries.extend(read);
    let mut images = BTreeMap::new();
    let (mut input, errors) = complete(journal_dir, entries, entry_errors, refused, &mut |p| {
        let rel = p
            .strip_prefix(journal_dir)
            .map_or_else(|_| p.to_string_lossy(), |r| r.to_string_lossy())
            .into_owned();
        let st = stat(p).unwrap_or_default();
        let script = match old.images.get(&rel) {
            Some((t, m, s)) if (*t, *m) == st => *s,
            _ => can_run_script(p),
        };
        images.insert(rel, (st.0, st.1, script));
        script
    })?;
    input.parts = parts;
    input.built_at = built_at;
    input.health = health;
    let model = Model::new(&input);

    // Each month's key; a month is kept when its key, its looked-up links
    // and its rendering are those of the last build.
    let keys = month_keys(&input, &model, &stats, &global);
    let mut kept: BTreeMap<String, MonthCache> = BTreeMap::new();
    let mut fresh: BTreeSet<String> = BTreeSet::new();
    for (month, key) in &keys {
        let cached = (!full)
            .then(|| read_json::<MonthCache>(&month_file(book_dir, month, "json")))
            .flatten()
            .filter(|c| {
                c.version == VERSION
                    && &c.cle == key
                    && c.liens
                        .iter()
                        .all(|(id, was)| model.permalinks.get(id) == was.as_ref())
                    && super::render::month_intact(book_dir, month, &c.rendu)
            });
        match cached {
            Some(c) => {
                kept.insert(month.clone(), c);
            }
            None => {
                fresh.insert(month.clone());
            }
        }
    }

    let month_of: HashMap<&str, String> = model
        .permalinks
        .iter()
        .map(|(id, (day, _))| (id.as_str(), month_of_page(day).to_string()))
        .collect();
    let group_of = |rel: &str| -> String {
        let m = month_of_page(rel);
        if !m.is_empty() {
            return m.to_string();
        }
        rel.strip_prefix(ENTRIES_DIR)
            .and_then(|r| r.strip_prefix('/'))
            .and_then(|r| r.strip_suffix(".md"))
            .and_then(|id| month_of.get(id))
            .cloned()
            .unwrap_or_default()
    };

    // Generate and check; a kept month whose outgoing links no longer give
    // the same (a page or anchor it links to changed) is generated again.
    loop {
        load_texts(&mut input, &fresh);
        let mut sources = super::generate::generate_with(&input, templates, &model, Some(&fresh))?;
        // The texts are in the sources now (pages, entries to check): not
        // held twice.
        for se in &mut input.entries {
            se.text = String::new();
        }
        sources.kept_months = kept
            .iter()
            .map(|(m, c)| (m.clone(), c.rendu.clone()))
            .collect();
        sources.kept_pages = kept.values().map(|c| c.pages.len()).sum();
        let outside = KeptMonths::new(book_dir, &kept);
        let site = Site::new(&sources, &outside);
        let checked = site.check(&group_of);
        let mut stale: BTreeSet<String> = BTreeSet::new();
        for (month, c) in &kept {
            if c.sortants
                .iter()
                .any(|(rel, dest, was)| site.outcome(rel, dest) != *was)
            {
                stale.insert(month.clone());
            }
        }
        stale.extend(outside.broken());
        if !stale.is_empty() {
            drop(site);
            for m in stale {
                kept.remove(&m);
                fresh.insert(m);
            }
            continue;
        }
        // The anchors of each generated month, as JSON (sorted).
        let mut by_group: BTreeMap<String, BTreeMap<&str, Vec<&String>>> = BTreeMap::new();
        for (rel, set) in site.ids_of(&|_| true) {
            let g = group_of(rel);
            if fresh.contains(&g) {
                let mut v: Vec<&String> = set.iter().collect();
                v.sort();
                by_group.entry(g).or_default().insert(rel, v);
            }
        }
        let mut ids: BTreeMap<String, Vec<u8>> = by_group
            .into_iter()
            .map(|(g, m)| (g, serde_json::to_vec(&m).unwrap_or_default()))
            .collect();
        drop(site);
        let mut problems: Vec<Problem> = errors
            .iter()
            .map(|e| Problem::invalid_entry(e, display))
            .collect();
        let mut found: Vec<Problem> = Vec::new();
        for (group, list) in &checked.problems {
            if group.is_empty() || fresh.contains(group) {
                found.extend(list.iter().cloned());
            }
        }
        for c in kept.values() {
            found.extend(c.problemes.iter().map(|(file, line, reason)| Problem {
                file: file.clone(),
                line: *line,
                reason: reason.clone(),
            }));
        }
        found.sort();
        problems.extend(found);

        let mut months = BTreeMap::new();
        for month in &fresh {
            let prefix = format!("{}/", month_dir(month));
            let cache = MonthCache {
                version: VERSION,
                cle: keys.get(month).cloned().unwrap_or_default(),
                liens: sources
                    .lookups
                    .get(month)
                    .into_iter()
                    .flatten()
                    .map(|id| (id.clone(), model.permalinks.get(id).cloned()))
                    .collect(),
                rendu: String::new(),
                pages: sources
                    .files
                    .keys()
                    .filter(|r| r.starts_with(&prefix))
                    .cloned()
                    .collect(),
                entrees: Vec::new(),
                problemes: checked
                    .problems
                    .get(month)
                    .into_iter()
                    .flatten()
                    .map(|p| (p.file.clone(), p.line, p.reason.clone()))
                    .collect(),
                sortants: checked.outgoing.get(month).cloned().unwrap_or_default(),
            };
            let anchors = ids.remove(month).unwrap_or_else(|| b"{}".to_vec());
            months.insert(month.clone(), (cache, anchors));
        }
        // Checked: the entries' copies are of no use to the rendering.
        let check_only = std::mem::take(&mut sources.check_only);
        // One pass over the entries (not one per month).
        for rel in check_only.keys() {
            if let Some((cache, _)) = months.get_mut(&group_of(rel)) {
                cache.entrees.push(rel.clone());
            }
        }
        drop(check_only);
        let index = Index {
            version: VERSION,
            global: global.clone(),
            entrees: input
                .entries
                .iter()
                .filter_map(|se| {
                    let (taille, mtime) = *stats.get(&se.entry.path)?;
                    Some((
                        file_name(&se.entry.path),
                        Kept {
                            taille,
                            mtime,
                            front: se.entry.front.clone(),
                        },
                    ))
                })
                .collect(),
            images,
        };
        return Ok(Prepared {
            generated: fresh.len(),
            kept: kept.len(),
            problems,
            sources,
            update: Update {
                index,
                months,
                all: keys.into_keys().collect(),
            },
            input,
        });
    }
}

/// `2024-03` for a page of `mois/2024-03/`, else the empty string.
fn month_of_page(rel: &str) -> &str {
    let root = super::check::book_root(rel);
    root.strip_prefix(MONTHS_DIR)
        .and_then(|r| r.strip_prefix('/'))
        .unwrap_or("")
}

/// The key of each month: a SHA-256 of everything its book is generated
/// from, besides the permalinks its links look up (checked apart).
fn key_of(m: Option<&super::model::Month>) -> &str {
    m.map_or("", |m| m.key.as_str())
}

fn month_keys(
    input: &Input,
    model: &Model,
    stats: &HashMap<PathBuf, (u64, u64)>,
    global: &str,
) -> BTreeMap<String, String> {
    let mut common = Sha256::new();
    common.update(global.as_bytes());
    common.update(serde_json::to_vec(&model.parts).unwrap_or_default());
    for w in &input.script_capable {
        common.update(w.as_bytes());
        common.update([0]);
    }
    // Whether a run's resource chart has its narrow variant changes its
    // rendering (a `<picture>`, see `inline`): part of its month's key only.
    let narrow: HashSet<&str> = input
        .images
        .iter()
        .map(String::as_str)
        .filter(|n| {
            n.ends_with(super::inline::NARROW_CHART_SUFFIX) && !input.script_capable.contains(*n)
        })
        .collect();
    let mut out = BTreeMap::new();
    for (i, m) in model.months.iter().enumerate() {
        let mut h = common.clone();
        for part in [
            m.key.as_str(),
            key_of(i.checked_sub(1).and_then(|p| model.months.get(p))),
            key_of(model.months.get(i + 1)),
            &model.year_file(&m.key[..4]),
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        for d in &m.days {
            for &e in &model.days[d] {
                let se = &input.entries[e];
                h.update(se.entry.path.to_string_lossy().as_bytes());
                let (t, mt) = stats.get(&se.entry.path).copied().unwrap_or_default();
                h.update(t.to_le_bytes());
                h.update(mt.to_le_bytes());
                h.update(serde_json::to_vec(&model.views[e]).unwrap_or_default());
                let name = format!("{}{}", se.entry.id(), super::inline::NARROW_CHART_SUFFIX);
                h.update([u8::from(narrow.contains(name.as_str()))]);
            }
        }
        out.insert(m.key.clone(), hex(h));
    }
    out
}

/// The anchors of a kept month's pages, by page.
type Anchors = HashMap<String, Arc<HashSet<String>>>;

/// The kept months, as the check sees them: their pages, and their
/// anchors read when a link leads into them.
struct KeptMonths<'a> {
    book_dir: &'a Path,
    pages: HashMap<&'a str, &'a str>,
    entries: HashMap<&'a str, &'a str>,
    ids: Mutex<HashMap<String, Arc<Anchors>>>,
    broken: Mutex<BTreeSet<String>>,
}

impl<'a> KeptMonths<'a> {
    fn new(book_dir: &'a Path, kept: &'a BTreeMap<String, MonthCache>) -> Self {
        let mut pages = HashMap::new();
        let mut entries = HashMap::new();
        for (m, c) in kept {
            pages.extend(c.pages.iter().map(|p| (p.as_str(), m.as_str())));
            entries.extend(c.entrees.iter().map(|p| (p.as_str(), m.as_str())));
        }
        KeptMonths {
            book_dir,
            pages,
            entries,
            ids: Mutex::default(),
            broken: Mutex::default(),
        }
    }

    /// Months whose anchors could not be read (generated again).
    fn broken(&self) -> BTreeSet<String> {
        self.broken.lock().map(|b| b.clone()).unwrap_or_default()
    }
}

impl Outside for KeptMonths<'_> {
    fn has_page(&self, rel: &str) -> bool {
        self.pages.contains_key(rel)
    }

    fn has_entry(&self, rel: &str) -> bool {
        self.entries.contains_key(rel)
    }

    fn ids(&self, rel: &str) -> Option<Arc<HashSet<String>>> {
        let month = self.pages.get(rel).or_else(|| self.entries.get(rel))?;
        let mut cache = self.ids.lock().ok()?;
        let all = match cache.get(*month) {
            Some(a) => Arc::clone(a),
            None => {
                let read: Option<BTreeMap<String, Vec<String>>> =
                    read_json(&month_file(self.book_dir, month, "ancres.json"));
                let Some(read) = read else {
                    if let Ok(mut b) = self.broken.lock() {
                        b.insert(month.to_string());
                    }
                    return Some(Arc::default());
                };
                let a: Arc<Anchors> = Arc::new(
                    read.into_iter()
                        .map(|(k, v)| (k, Arc::new(v.into_iter().collect())))
                        .collect(),
                );
                cache.insert(month.to_string(), Arc::clone(&a));
                a
            }
        };
        Some(all.get(rel).cloned().unwrap_or_default())
    }
}

/// Records what this build generated (atomically, the index last), once
/// rendered: `fingerprints` are the months' renderings (see `render`).
pub fn save(
    book_dir: &Path,
    prepared: Prepared,
    fingerprints: &BTreeMap<String, String>,
) -> Result<()> {
    let update = prepared.update;
    let dir = cache_dir(book_dir).join("mois");
    fs::create_dir_all(&dir).map_err(|e| Error::io("création du dossier", &dir, e))?;
    let write = |path: &Path, bytes: &[u8]| {
        crate::store::write_atomic(path, bytes, true).map_err(|e| Error::io("écriture de", path, e))
    };
    for (month, (mut cache, ids)) in update.months {
        cache.rendu = fingerprints.get(&month).cloned().unwrap_or_default();
        write(&month_file(book_dir, &month, "ancres.json"), &ids)?;
        let cache = serde_json::to_vec(&cache).unwrap_or_default();
        write(&month_file(book_dir, &month, "json"), &cache)?;
    }
    // Months gone from the journal.
    if let Ok(rd) = fs::read_dir(&dir) {
        for d in rd.filter_map(|d| d.ok()) {
            let name = d.file_name().to_string_lossy().into_owned();
            let month = name.split('.').next().unwrap_or_default();
            if !update.all.contains(month) {
                let _ = fs::remove_file(d.path());
            }
        }
    }
    let index = serde_json::to_vec(&update.index).unwrap_or_default();
    write(&cache_dir(book_dir).join("index.json"), &index)
}
