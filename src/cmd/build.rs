//! `journal build`: generates the mdBook sources and renders the HTML.

use super::Context;
use crate::cli::BuildArgs;
use crate::error::Result;

/// Runs `journal build`.
pub fn execute(ctx: &Context, args: BuildArgs) -> Result<()> {
    let _ = (ctx, args);
    Err(crate::error::Error::failed("en construction"))
}
