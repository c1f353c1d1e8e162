//! `journal run <partie>`: runs a part's runbook and records it.

use super::Context;
use crate::cli::RunArgs;
use crate::error::Result;

/// Runs `journal run`.
pub fn execute(ctx: &Context, args: RunArgs) -> Result<()> {
    let part = crate::runbook::parts::find(&args.partie)?;
    let _ = (ctx, part);
    Err(crate::error::Error::failed("en construction"))
}
