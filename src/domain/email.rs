use std::fmt;

use unicode_normalization::UnicodeNormalization;

use super::text::{TextProblem, is_forbidden};

/// An email address, checked only for shape (one `@`, something on each side, no spaces, no
/// control or bidi character, at most 254 bytes): whether it receives mail is not orghub's to
/// know. Uniqueness and sign-in compare its `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

/// Why a text is not an email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailProblem {
    /// A text rule every stored text follows (see `text`): forbidden characters, length.
    Text(TextProblem),
    /// Not `local@domain`, or with spaces.
    Shape,
}

impl Email {
    /// The longest address, in bytes (RFC 5321's limit on a path).
    pub const MAX_BYTES: usize = 254;

    pub fn parse(text: &str) -> Result<Self, EmailProblem> {
        // Before trimming: a CR or LF at either end is refused, not quietly dropped.
        if text.chars().any(is_forbidden) {
            return Err(EmailProblem::Text(TextProblem::ForbiddenCharacter));
        }
        let text = text.trim();
        if text.len() > Self::MAX_BYTES {
            return Err(EmailProblem::Text(TextProblem::TooLong {
                max: Self::MAX_BYTES,
            }));
        }
        let (local, domain) = text.split_once('@').ok_or(EmailProblem::Shape)?;
        let well_formed = !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && !text.chars().any(char::is_whitespace);
        if !well_formed {
            return Err(EmailProblem::Shape);
        }
        Ok(Self(text.to_owned()))
    }

    /// An address read back from the store: it passed the rules of its day, which may have
    /// been looser than today's (bidi characters were once let through), so only its shape is
    /// checked, so that an old row still reads.
    pub fn stored(text: &str) -> Option<Self> {
        text.split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
            .then(|| Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form the uniqueness constraint and sign-in compare: NFKC, then lower case. NFKC
    /// first folds compatibility look-alikes into the letters they stand for (the Kelvin sign
    /// U+212A and the fullwidth `ｋ` both become `k`, the ligature `ﬀ` becomes `ff`), so an
    /// address that merely looks like another's is the same account, never a second one; the
    /// lower case is then taken of that normal form, and is itself left in NFKC.
    pub fn key(&self) -> String {
        key_of(&self.0)
    }
}

/// The comparison key of any text, as `Email::key` computes it (also for a sign-in with an
/// address that does not parse: it finds no account, but is throttled under its key).
pub fn key_of(text: &str) -> String {
    let folded: String = text.nfkc().collect::<String>().to_lowercase();
    // Lower-casing can leave a text outside NFKC (rarely: some precomposed capitals); normalize
    // again so that equal keys are equal strings.
    folded.nfkc().collect()
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
        assert!(Email::parse("a@b.example").is_ok());
        assert_eq!(Email::parse(" A@B.example ").unwrap().key(), "a@b.example");
        for bad in ["", "a", "@b", "a@", "a b@c", "a@b@c"] {
            assert_eq!(Email::parse(bad), Err(EmailProblem::Shape), "{bad:?}");
        }
    }

    #[test]
    fn control_and_bidi_characters_and_length_are_text_problems() {
        for bad in ["a\0@b", "a@b\r\nX", "\u{202E}a@b", "a\u{1b}@b"] {
            assert_eq!(
                Email::parse(bad),
                Err(EmailProblem::Text(TextProblem::ForbiddenCharacter)),
                "{bad:?}"
            );
        }
        let long = format!("{}@b.example", "a".repeat(250));
        assert_eq!(
            Email::parse(&long),
            Err(EmailProblem::Text(TextProblem::TooLong { max: 254 }))
        );
    }

    #[test]
    fn look_alikes_share_the_key_of_the_letters_they_stand_for() {
        let plain = Email::parse("kim@kelvin.example").unwrap().key();
        for look_alike in [
            "\u{212A}im@\u{212A}elvin.example", // Kelvin sign
            "ｋim@kelvin.example",              // fullwidth k
            "KIM@KELVIN.EXAMPLE",
        ] {
            assert_eq!(
                Email::parse(look_alike).unwrap().key(),
                plain,
                "{look_alike}"
            );
        }
        assert_eq!(Email::parse("ﬀ@x.example").unwrap().key(), "ff@x.example");
    }
}
