//! The parser: front matter (serde_yaml), then the Markdown (pulldown-cmark)
//! whose fenced blocks marked `journal:<sorte>` become [`Block`]s. Every
//! problem of the file is collected, each with its line.

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use serde_yaml::Value;

use super::fields::{Fields, words};
use super::front::{TARGETS, front_matter, key_line, suggestion, valid_id};
use super::kinds::{BUILTIN_STEPS, Body, Kind, Spec};
use super::{Block, Problem, Runbook};

/// The Prometheus configuration, from the project's root.
pub const PROMETHEUS_YML: &str = "compose/config/prometheus/prometheus.yml";
/// The Compose file, from the project's root.
pub const COMPOSE_YML: &str = "compose/docker-compose.yml";

/// Parses a runbook; all its problems when it is not valid.
pub fn parse(text: &str) -> Result<Runbook, Vec<Problem>> {
    let mut problems = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some((yaml, body, body_line)) = split_front(text) else {
        return Err(vec![Problem::new(
            1,
            "en-tête YAML absent : un runbook commence par « --- », son id et son titre",
            "commencez le fichier par ---, id: partie-x, titre: \"…\", puis --- sur sa propre ligne",
        )]);
    };
    let front = front_matter(yaml, &mut problems);
    let blocks = blocks(body, body_line, &mut problems);
    for b in &blocks {
        let misplaced = b
            .targets
            .iter()
            .filter(|t| TARGETS.contains(&t.as_str()) && !front.targets.contains(t));
        for t in misplaced {
            problems.push(Problem::new(
                b.line,
                format!("le bloc vise la cible « {t} », absente de « cibles: » de l'en-tête"),
                format!(
                    "cibles de la partie : {} ; ajoutez « {t} » à l'en-tête ou retirez-la du bloc",
                    front.targets.join(", ")
                ),
            ));
        }
    }
    if problems.is_empty() {
        Ok(Runbook {
            id: front.id,
            title: front.title,
            id_line: front.id_line,
            requires: front.requires,
            requires_line: if yaml.lines().any(|l| l.starts_with("requiert")) {
                key_line(yaml, "requiert")
            } else {
                front.id_line
            },
            targets: front.targets,
            params: front.params,
            blocks,
        })
    } else {
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}

/// `(front matter, body, 1-based line of the body's first line)`.
pub(super) fn split_front(text: &str) -> Option<(&str, &str, usize)> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Some((yaml, body, yaml.lines().count() + 3));
        }
        offset += line.len();
    }
    None
}

/// The step blocks of the body.
fn blocks(body: &str, base: usize, problems: &mut Vec<Problem>) -> Vec<Block> {
    let line_of = |offset: usize| base + body[..offset].matches('\n').count();
    let mut out: Vec<Block> = Vec::new();
    let mut heading: Option<String> = None;
    let mut in_heading: Option<String> = None;
    let mut code: Option<(String, usize, usize, String)> = None;
    let mut prose_start = 0;
    let mut counts = std::collections::BTreeMap::new();
    for (event, range) in Parser::new(body).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => {
                heading = in_heading.take().map(|h| h.trim().to_string());
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                code = Some((info.to_string(), range.start, range.end, String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, _, content)) = code.as_mut() {
                    content.push_str(&t);
                } else if let Some(h) = in_heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some((info, start, end, content)) = code.take() else {
                    continue;
                };
                let line = line_of(start);
                let Some(spec) = marked(&info, line, problems) else {
                    continue;
                };
                let Some((kind, mut fields)) = spec else {
                    continue;
                };
                let n = counts.entry(kind.name()).or_insert(0);
                *n += 1;
                let prose = body[prose_start..start].trim().to_string();
                prose_start = end;
                if let Some(block) = block(kind, &mut fields, &content, line, *n, problems) {
                    let title = fields
                        .text("titre")
                        .or_else(|| heading.clone())
                        .unwrap_or_else(|| kind.label().to_string());
                    let targets = block_targets(&fields, problems);
                    if let Some(first) = out.iter().find(|b| b.id == block.0) {
                        problems.push(Problem::new(
                            line,
                            format!(
                                "id d'étape « {} » déjà pris (ligne {})",
                                block.0, first.line
                            ),
                            "donnez à l'un des deux blocs un autre id=…",
                        ));
                    }
                    out.push(Block {
                        line,
                        id: block.0,
                        title,
                        prose,
                        spec: block.1,
                        targets,
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// The block's `cibles` (each a known target), or none: every target.
fn block_targets(fields: &Fields, problems: &mut Vec<Problem>) -> Vec<String> {
    let Some((targets, line)) = fields.list("cibles") else {
        return Vec::new();
    };
    if targets.is_empty() {
        problems.push(Problem::new(
            line,
            "« cibles » du bloc est vide",
            "par exemple cibles=swarm, ou retirez le champ : le bloc vaut alors pour toutes les cibles",
        ));
    }
    for t in targets.iter().filter(|t| !TARGETS.contains(&t.as_str())) {
        problems.push(Problem::new(
            line,
            format!("cible inconnue « {t} »"),
            format!(
                "{}cibles possibles : compose, swarm",
                suggestion(t, &TARGETS)
            ),
        ));
    }
    targets
}

/// `None` when the info string has a problem; `Some(None)` when the block
/// is not marked for journal; its kind and info-string fields otherwise.
fn marked(info: &str, line: usize, problems: &mut Vec<Problem>) -> Option<Option<(Kind, Fields)>> {
    let Some(words) = words(info) else {
        if info.contains("journal:") {
            problems.push(Problem::new(
                line,
                "guillemet non fermé dans l'en-tête du bloc",
                "écrivez titre=\"…\" avec ses deux guillemets",
            ));
            return None;
        }
        return Some(None);
    };
    let Some(name) = words.iter().find_map(|w| w.strip_prefix("journal:")) else {
        return Some(None);
    };
    let Some(kind) = Kind::from_name(name) else {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        problems.push(Problem::new(
            line,
            format!("sorte de bloc inconnue « journal:{name} »"),
            format!(
                "{}sortes possibles : {}",
                suggestion(name, &names),
                names.join(", ")
            ),
        ));
        return None;
    };
    let mut fields = Fields::default();
    let mut bad = false;
    for w in &words {
        if w.starts_with("journal:") {
            continue;
        }
        if let Some((k, v)) = w.split_once('=')
            && let Err(p) = fields.add(kind, k, Value::String(v.to_string()), line)
        {
            problems.push(p);
            bad = true;
        }
    }
    if bad {
        None
    } else {
        Some(Some((kind, fields)))
    }
}

/// The step id and spec of one block, or its problems.
fn block(
    kind: Kind,
    fields: &mut Fields,
    content: &str,
    line: usize,
    n: usize,
    problems: &mut Vec<Problem>,
) -> Option<(String, Spec)> {
    let before = problems.len();
    let mut yaml: Option<Value> = None;
    if kind.body() == Body::Fields || matches!(kind, Kind::Services | Kind::ScrapeJob) {
        match crate::compose_file::validate(content) {
            Ok(v) => yaml = Some(v),
            Err(crate::compose_file::ComposeError::Syntax {
                line: l, message, ..
            }) => {
                problems.push(Problem::new(
                    line + l.max(1),
                    format!(
                        "le YAML du bloc journal:{} ne se lit pas : {message}",
                        kind.name()
                    ),
                    "vérifiez l'indentation (des espaces, pas de tabulation) et les « : »",
                ));
                return None;
            }
            Err(e) => {
                problems.push(Problem::new(
                    line,
                    e.to_string(),
                    "vérifiez le YAML du bloc",
                ));
                return None;
            }
        }
    }
    if kind.body() == Body::Fields {
        match yaml.take() {
            Some(Value::Null) | None => {}
            Some(Value::Mapping(m)) => {
                for (k, v) in m {
                    let key = k.as_str().unwrap_or("?").to_string();
                    let at = content
                        .lines()
                        .position(|l| l.trim_start().starts_with(&format!("{key}:")))
                        .map_or(line, |i| line + 1 + i);
                    if let Err(p) = fields.add(kind, &key, v, at) {
                        problems.push(p);
                    }
                }
            }
            Some(_) => problems.push(Problem::new(
                line + 1,
                format!(
                    "le bloc journal:{} doit contenir des lignes « clé: valeur »",
                    kind.name()
                ),
                format!("champs possibles : {}", kind.field_list()),
            )),
        }
        if let Some(p) = fields.not_text() {
            problems.push(p);
        }
    } else if content.trim().is_empty() {
        problems.push(Problem::new(
            line,
            format!("bloc journal:{} vide", kind.name()),
            match kind {
                Kind::Command => "écrivez la commande à lancer dans le bloc",
                _ => "écrivez dans le bloc le contenu à ajouter ou à écrire",
            },
        ));
    }
    problems.extend(fields.missing(kind, line));
    let builtin = fields.text("etape").filter(|_| kind == Kind::Builtin);
    if let Some(step) = &builtin
        && !BUILTIN_STEPS.iter().any(|(name, _)| name == step)
    {
        let names: Vec<&str> = BUILTIN_STEPS.iter().map(|(name, _)| *name).collect();
        problems.push(Problem::new(
            fields.line("etape").unwrap_or(line),
            format!("étape intégrée inconnue « {step} »"),
            format!(
                "{}étapes intégrées : {}",
                suggestion(step, &names),
                names.join(", ")
            ),
        ));
    }
    let id = fields
        .text("id")
        .or_else(|| builtin.clone())
        .unwrap_or_else(|| format!("{}-{n}", kind.name()));
    if !valid_id(&id) {
        problems.push(Problem::new(
            line,
            format!("id d'étape invalide « {id} »"),
            "minuscules, chiffres et tirets seulement, par exemple id=node-exporter",
        ));
    }
    let int = |key: &str, problems: &mut Vec<Problem>| match fields.integer(key) {
        Ok(v) => v,
        Err(p) => {
            problems.push(p);
            None
        }
    };
    let timeout_secs = int("delai", problems).map(|v| v as u64);
    let spec = match kind {
        Kind::File => Spec::File {
            path: fields.text("chemin").unwrap_or_default(),
            content: content.to_string(),
        },
        Kind::Services => {
            if !matches!(&yaml, Some(v) if v.get("services").is_some_and(Value::is_mapping)) {
                problems.push(Problem::new(
                    line + 1,
                    "le bloc journal:services doit avoir une section « services: » (un dictionnaire de services)",
                    "collez les services tels que le tutoriel les donne, sous services:",
                ));
            }
            Spec::Services {
                file: fields.text("fichier").unwrap_or_else(|| COMPOSE_YML.into()),
                content: content.to_string(),
            }
        }
        Kind::ScrapeJob => {
            let job = match &yaml {
                Some(Value::Sequence(s)) if s.len() == 1 => s[0].get("job_name"),
                Some(v @ Value::Mapping(_)) => v.get("job_name"),
                _ => None,
            }
            .and_then(Value::as_str)
            .map(str::to_string);
            if job.is_none() {
                problems.push(Problem::new(
                    line + 1,
                    "le bloc journal:collecte doit décrire un job, avec son « job_name »",
                    "par exemple : job_name: node, puis static_configs: [{targets: ['node-exporter:9100']}]",
                ));
            }
            Spec::ScrapeJob {
                file: fields
                    .text("fichier")
                    .unwrap_or_else(|| PROMETHEUS_YML.into()),
                job: job.unwrap_or_default(),
                content: content.to_string(),
            }
        }
        Kind::Command => Spec::Command {
            script: content.to_string(),
            already_done: fields.text("deja_fait"),
            expected: fields.text("attendu"),
            code: int("code", problems).unwrap_or(0) as i32,
            timeout_secs,
        },
        Kind::Promql => Spec::Promql {
            query: fields.text("requete").unwrap_or_default(),
            min: int("min", problems).unwrap_or(1) as u64,
            timeout_secs,
        },
        Kind::Http => Spec::Http {
            url: fields.text("url").unwrap_or_default(),
            status: int("statut", problems).unwrap_or(200) as u16,
            contains: fields.text("contient"),
            timeout_secs,
        },
        Kind::Targets => Spec::Targets {
            job: fields.text("job").unwrap_or_default(),
            timeout_secs,
        },
        Kind::Dashboard => {
            let grafana_com = int("grafana_com", problems).map(|v| v as u32);
            let copy = fields.text("copie");
            if grafana_com.is_none() && copy.is_none() {
                problems.push(Problem::new(
                    line,
                    "le bloc journal:tableau-de-bord ne dit pas quel tableau importer",
                    "ajoutez grafana_com: <id> et/ou copie: <fichier JSON du projet>",
                ));
            }
            Spec::Dashboard {
                grafana_com,
                copy,
                source: fields.text("source").unwrap_or_else(|| "Prometheus".into()),
            }
        }
        Kind::GrafanaPassword => Spec::GrafanaPassword,
        Kind::Snapshot => Spec::Snapshot,
        Kind::AlertDrill => Spec::AlertDrill,
        Kind::Builtin => Spec::Builtin {
            step: builtin.unwrap_or_default(),
        },
    };
    (problems.len() == before).then_some((id, spec))
}
