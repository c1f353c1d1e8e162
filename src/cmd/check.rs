//! `journal check`: the documentation check run by CI.

use super::Context;
use crate::cli::CheckArgs;
use crate::error::Result;

/// Runs `journal check`.
pub fn execute(ctx: &Context, args: CheckArgs) -> Result<()> {
    let _ = (ctx, args);
    Err(crate::error::Error::failed("en construction"))
}
