//! An HTTP check of a runbook's `journal:http` blocks: `GET <url>`, its
//! status and body. Transport errors become French environment errors
//! (through `http::Endpoint`, the one request path).

use std::time::Duration;

use super::http::Endpoint;
use crate::error::Result;

/// What the HTTP check step needs.
pub trait HttpProbe {
    /// `GET url`: its status and body.
    fn get(&self, url: &str) -> Result<(u16, String)>;
}

/// The real probe (reqwest, through [`Endpoint`]).
pub struct HttpGet;

impl HttpProbe for HttpGet {
    fn get(&self, url: &str) -> Result<(u16, String)> {
        let endpoint = Endpoint::new(
            "le service",
            url,
            (Duration::from_secs(3), Duration::from_secs(10)),
            |base| {
                format!("le service qui répond à {base} est-il démarré ? Essayez : curl -sS {base}")
            },
        )?;
        let reply = endpoint.get("", &[])?;
        Ok((reply.status, reply.body))
    }
}
