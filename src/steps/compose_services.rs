//! Step `compose-services` (tutorial step 2): adds the services `prometheus`,
//! `grafana` and `cadvisor`, the volumes `prometheus_data` and `grafana_data`
//! and the network `systeme-ticketing-net` to the compose file, keeping every
//! existing byte (the edit itself is `compose_file::apply`). The result is
//! validated with `docker compose config` before it replaces the file; the
//! old file is kept as a timestamped backup and the diff goes to the journal.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::compose_file::{Additions, ServiceBlock, apply};
use crate::error::{Error, Kind};
use crate::runbook::{RunContext, Step, StepFailure, StepReport};
use crate::steps::ComposeClient;
use crate::steps::config_file::backup_path;
use crate::textdiff;

/// Étape 2 : services dans docker-compose.yml.
pub struct ComposeServices;

/// The network the tutorial's services share.
pub const NETWORK: &str = "systeme-ticketing-net";

/// The additions of part 6, rendered from the `compose/*.yml.j2` templates.
pub fn additions(ctx: &RunContext) -> crate::error::Result<Additions> {
    let block = |name: &str, comment: &str| -> crate::error::Result<ServiceBlock> {
        Ok(ServiceBlock {
            name: name.to_string(),
            comment: Some(comment.to_string()),
            body: ctx
                .templates
                .render(&format!("compose/{name}.yml.j2"), &ctx.settings)?,
        })
    };
    Ok(Additions {
        services: vec![
            block("prometheus", "--- Collecteur de métriques : Prometheus ---")?,
            block("grafana", "--- Visualisation des métriques : Grafana ---")?,
            block(
                "cadvisor",
                "--- Exportateur de métriques Docker : cAdvisor ---",
            )?,
        ],
        volumes: vec!["prometheus_data".into(), "grafana_data".into()],
        network: NETWORK.into(),
    })
}

impl Step for ComposeServices {
    fn id(&self) -> &'static str {
        "compose-services"
    }

    fn title(&self) -> &'static str {
        "Étape 2 : services dans docker-compose.yml"
    }

    fn run(&self, ctx: &mut RunContext) -> Result<StepReport, StepFailure> {
        let file = ctx.project.compose_file();
        let shown = ctx.project.display(&file);
        let current = match std::fs::read_to_string(&file) {
            Ok(s) => Some(s),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("lecture de", &file, e).into()),
        };
        let add = additions(ctx)?;
        let edit =
            apply(current.as_deref().unwrap_or(""), &add, ctx.settings.force).map_err(|e| {
                let e: Error = e.into();
                StepFailure::from(
                    Error::usage(format!("{shown} : {}", e.message()))
                        .with_hint(e.hint().unwrap_or("")),
                )
            })?;
        let command =
            format!("$EDITOR {shown}   # ajouter prometheus, grafana, cadvisor, volumes et réseau");
        if !edit.changed {
            return Ok(StepReport::already_done(format!(
                "{shown} contient déjà les services du tutoriel ({})",
                edit.summary_fr()
            ))
            .command(command));
        }
        let diff = textdiff::unified(current.as_deref().unwrap_or(""), &edit.text, &shown);
        let (added, removed) = textdiff::stats(&diff);
        let diff_block = format!(
            "Différences ({added} lignes ajoutées, {removed} retirées) :\n\n````diff\n{diff}````"
        );
        if ctx.dry_run() {
            return Ok(StepReport::skipped(format!(
                "simulation : modifierait {shown} ({})",
                edit.summary_fr()
            ))
            .details(diff_block));
        }
        if let Some(meta) = std::fs::metadata(&file).ok().filter(|_| current.is_some())
            && meta.permissions().mode() & 0o222 == 0
        {
            return Err(Error::usage(format!(
                "{shown} est en lecture seule : il n'a pas été modifié"
            ))
            .with_hint(format!(
                "rendez-le modifiable (chmod u+w {shown}) puis relancez"
            ))
            .into());
        }
        let dir = file.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| Error::io("création du dossier", dir, e))?;
        // Validate the candidate with Compose itself, beside the real file so
        // relative paths resolve the same way.
        let mut tmp = tempfile::Builder::new()
            .prefix(".docker-compose.journal-")
            .suffix(".yml")
            .tempfile_in(dir)
            .map_err(|e| Error::io("écriture dans le dossier", dir, e))?;
        std::io::Write::write_all(&mut tmp, edit.text.as_bytes())
            .map_err(|e| Error::io("écriture de", tmp.path(), e))?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| Error::io("écriture de", tmp.path(), e))?;
        let compose = ctx.require::<ComposeClient>("le client Compose")?.0.clone();
        if let Err(msg) = compose.validate(tmp.path()) {
            return Err(StepFailure::from(
                Error::failed(format!("« {} config » refuse le fichier modifié : {shown} n'a pas été touché", compose.program()))
                    .with_hint("vérifiez la différence ci-dessous et le reste du fichier ; relancez avec -v pour plus de détails"),
            )
            .output(msg)
            .details(diff_block));
        }
        let mut summary = format!("{shown} mis à jour : {}", edit.summary_fr());
        if let Some(meta) = std::fs::metadata(&file).ok().filter(|_| current.is_some()) {
            let backup = backup_path(&file);
            std::fs::copy(&file, &backup).map_err(|e| Error::io("sauvegarde de", &file, e))?;
            let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
            summary.push_str(&format!(" ; sauvegarde : {}", ctx.project.display(&backup)));
        }
        tmp.persist(&file)
            .map_err(|e| Error::io("remplacement de", &file, e.error).with_kind(Kind::Io))?;
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(StepReport::done(summary)
            .command(command)
            .output(format!(
                "{} -f {shown} config -q : fichier valide",
                compose.program()
            ))
            .details(diff_block))
    }
}
