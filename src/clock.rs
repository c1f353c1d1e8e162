//! The clock of the tool: the time now, or the fixed time of
//! `JOURNAL_HORLOGE` (tests). Settings only read the variable; what time it
//! is is asked here.

use chrono::{DateTime, FixedOffset};

use crate::settings::{CLOCK, var};

/// The fixed clock of `JOURNAL_HORLOGE`, when set to a valid RFC 3339 time.
pub fn fixed_clock() -> Option<DateTime<FixedOffset>> {
    var(CLOCK).and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
}
