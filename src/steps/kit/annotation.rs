//! Grafana annotations of the kit: one organization annotation per key tag
//! (`entree:<id>`), created the first time and updated afterwards, never
//! duplicated. What to annotate, and whether a refusal matters, is the
//! caller's.

use crate::adapters::grafana::{AnnotationSpec, GrafanaApi};
use crate::error::Result;

/// What [`upsert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    /// Created, with this id.
    Created(i64),
    /// Existed with other times, tags or text: updated.
    Updated(i64),
    /// Existed as wanted.
    Unchanged(i64),
}

/// Makes sure exactly one annotation tagged `key` (which `spec.tags` must
/// hold) says `spec`.
pub fn upsert(api: &dyn GrafanaApi, key: &str, spec: &AnnotationSpec) -> Result<Upserted> {
    debug_assert!(spec.tags.iter().any(|t| t == key));
    let existing = api.annotations_tagged(&[key.to_string()])?;
    match existing.first() {
        None => api.create_annotation(spec).map(Upserted::Created),
        Some(a)
            if a.time == spec.time
                && a.time_end == spec.time_end
                && a.text == spec.text
                && a.tags == spec.tags =>
        {
            Ok(Upserted::Unchanged(a.id))
        }
        Some(a) => api
            .update_annotation(a.id, spec)
            .map(|()| Upserted::Updated(a.id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::grafana::FakeGrafana;

    fn spec(end: i64) -> AnnotationSpec {
        AnnotationSpec {
            time: 1_000,
            time_end: end,
            tags: vec!["journal".into(), "entree:x".into()],
            text: "partie-6 : réussi".into(),
        }
    }

    #[test]
    fn created_once_then_kept_then_updated() {
        let g = FakeGrafana::new("p");
        assert_eq!(
            upsert(&g, "entree:x", &spec(2_000)).unwrap(),
            Upserted::Created(1)
        );
        assert_eq!(
            upsert(&g, "entree:x", &spec(2_000)).unwrap(),
            Upserted::Unchanged(1)
        );
        assert_eq!(
            upsert(&g, "entree:x", &spec(3_000)).unwrap(),
            Upserted::Updated(1)
        );
        assert_eq!(g.annotations.borrow().len(), 1);
        assert_eq!(*g.annotation_calls.borrow(), ["POST", "PATCH 1"]);
    }
}
