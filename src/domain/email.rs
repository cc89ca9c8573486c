use std::fmt;

/// An email address, checked only for shape (one `@`, something on each side, no spaces):
/// whether it receives mail is not orghub's to know. Uniqueness ignores case (`key`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (local, domain) = text.split_once('@')?;
        let well_formed = !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && text.len() <= 254
            && !text.chars().any(|c| c.is_whitespace() || c.is_control());
        well_formed.then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form the uniqueness constraint compares.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_checks() {
        assert!(Email::parse("a@b.example").is_some());
        assert_eq!(Email::parse(" A@B.example ").unwrap().key(), "a@b.example");
        for bad in ["", "a", "@b", "a@", "a b@c", "a@b@c"] {
            assert!(Email::parse(bad).is_none(), "{bad:?} should be refused");
        }
    }
}
