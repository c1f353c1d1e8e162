//! The HTTP check of the kit: an address answers with the expected status
//! and, when asked, a body that contains a given text. The request goes
//! through the adapter (`adapters::http::HttpGet`); the kit only judges the
//! answer and says in French what differs.

use crate::adapters::http::HttpGet;
use crate::error::{Error, Result};

/// What an address must answer.
#[derive(Debug, Clone)]
pub struct Expect<'a> {
    /// The full URL.
    pub url: &'a str,
    /// The status wanted (200…).
    pub status: u16,
    /// A text the body must contain.
    pub contains: Option<&'a str>,
}

/// Checks `expect` against what `http` answers; returns the body.
pub fn check(http: &dyn HttpGet, expect: &Expect) -> Result<String> {
    let (status, body) = http.get_url(expect.url)?;
    if status != expect.status {
        return Err(Error::failed(format!(
            "{} répond {status} au lieu de {}",
            expect.url, expect.status
        ))
        .with_hint(format!(
            "essayez « curl -i {} » et lisez les journaux du service",
            expect.url
        )));
    }
    if let Some(text) = expect.contains
        && !body.contains(text)
    {
        return Err(Error::failed(format!(
            "{} répond {status} mais sa réponse ne contient pas « {text} »",
            expect.url
        ))
        .with_hint(format!("essayez « curl -s {} »", expect.url)));
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(u16, &'static str);

    impl HttpGet for Fixed {
        fn get_url(&self, _: &str) -> Result<(u16, String)> {
            Ok((self.0, self.1.to_string()))
        }
    }

    #[test]
    fn status_and_body_are_both_checked() {
        let ok = Expect {
            url: "http://x/-/ready",
            status: 200,
            contains: Some("Ready"),
        };
        assert!(check(&Fixed(200, "Prometheus Server is Ready."), &ok).is_ok());
        let e = check(&Fixed(503, "starting"), &ok).unwrap_err();
        assert!(
            e.message().contains("503 au lieu de 200"),
            "{}",
            e.message()
        );
        let e = check(&Fixed(200, "no"), &ok).unwrap_err();
        assert!(e.message().contains("« Ready »"), "{}", e.message());
        assert_eq!(e.code(), 1);
    }
}
