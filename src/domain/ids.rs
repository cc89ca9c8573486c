use std::fmt;

use uuid::Uuid;

/// The public identifier of a record: a UUID (version 7, so ids sort by creation time),
/// rendered in its canonical lowercase hyphenated form. Faces that speak integers use the
/// record's numeric id instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicId(Uuid);

impl PublicId {
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// Accepts only the canonical hyphenated form (either case): one documented format.
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != 36 {
            return None;
        }
        Uuid::try_parse(text).ok().map(Self)
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl Default for PublicId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for PublicId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_hyphenated_form_parses() {
        let id = PublicId::new();
        assert_eq!(PublicId::parse(&id.to_string()), Some(id));
        assert_eq!(
            PublicId::parse(&id.to_string().to_uppercase()),
            Some(id),
            "case does not matter"
        );
        assert_eq!(PublicId::parse(&id.as_uuid().simple().to_string()), None);
        assert_eq!(PublicId::parse("not-an-id"), None);
        assert_eq!(PublicId::parse(""), None);
        assert_eq!(PublicId::parse("12"), None);
    }
}
