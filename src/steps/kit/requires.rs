//! « This part completes another »: when the part it needs last succeeded
//! in this project, read from the journal, or a usage error (exit 2) that
//! says which part to run first. It reads the journal; it writes nothing.

use crate::error::{Error, Result};
use crate::runbook::RunContext;
use crate::store::{EntryKind, Status, Store};

/// What a part requires.
pub struct Requirement<'a> {
    /// This part's id.
    pub part: &'a str,
    /// The part it completes.
    pub requires: &'a str,
    /// What the required part sets up, for the hint (« Prometheus, Grafana
    /// et cAdvisor »).
    pub provides: &'a str,
}

/// When `req.requires` last succeeded in this project (French date and
/// time), or a usage error naming the command to run first.
pub fn last_success(ctx: &RunContext, req: &Requirement) -> Result<String> {
    let (entries, _) = Store::new(ctx.project.journal_dir()).load()?;
    let last = entries.iter().rev().find(|e| {
        e.front.kind == EntryKind::Execution
            && e.front.partie.as_deref() == Some(req.requires)
            && e.front.statut == Status::Succeeded
    });
    match last {
        Some(e) => Ok(crate::french::date_time(&e.front.horodatage)),
        None => Err(Error::usage(format!(
            "la {} n'a jamais réussi dans ce projet : la {} la complète et ne peut pas \
             s'exécuter seule (rien n'a été modifié)",
            req.requires, req.part
        ))
        .with_hint(format!(
            "lancez d'abord « journal run {} » ({}), puis « journal run {} »",
            req.requires, req.provides, req.part
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_never_run_is_a_usage_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = crate::testing::test_context(dir.path());
        let req = Requirement {
            part: "partie-b",
            requires: "partie-a",
            provides: "le socle",
        };
        let e = last_success(&ctx, &req).unwrap_err();
        assert_eq!(e.code(), 2);
        assert!(
            e.message().contains("la partie-a n'a jamais réussi"),
            "{}",
            e.message()
        );
        assert!(e.hint().unwrap().contains("journal run partie-a"));
    }
}
