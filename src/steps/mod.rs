//! (en construction)
