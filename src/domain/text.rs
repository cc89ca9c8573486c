//! The rules every piece of text a client stores must follow, in one place: names, labels and
//! free text (descriptions). A face checks only a field's JSON type; the service parses the
//! text here and a face words the typed [`TextProblem`] in its own format.
//!
//! Why these rules: a NUL byte cannot be stored in a PostgreSQL text column (it was a 500 there
//! and accepted on SQLite); CR, LF and ESC let a name forge log lines or terminal output; bidi
//! overrides and isolates make a name display as another; an unbounded name breaks the unique
//! index (PostgreSQL refuses index rows over about 2.7 kB) and makes every list that shows it
//! heavier. Lengths count characters (Unicode scalar values), not bytes.

use std::fmt;

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// Empty, or only whitespace.
    Blank,
    /// Longer than `max` characters (for emails: bytes).
    TooLong { max: usize },
    /// Holds a control character (NUL, CR, LF, ESC, DEL, C1…), a line or paragraph separator,
    /// or a bidirectional override or isolate (U+202A–U+202E, U+2066–U+2069).
    ForbiddenCharacter,
}

/// True for the characters no stored text may hold.
pub fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` is free of forbidden characters, not blank unless `may_be_empty` and empty, and at
/// most `max` characters long; checked in that order (a tab alone is a forbidden character,
/// not a blank).
fn check(text: &str, max: usize, may_be_empty: bool) -> Result<(), TextProblem> {
    if text.chars().any(is_forbidden) {
        return Err(TextProblem::ForbiddenCharacter);
    }
    if text.trim().is_empty() && !(may_be_empty && text.is_empty()) {
        return Err(TextProblem::Blank);
    }
    if text.chars().count() > max {
        return Err(TextProblem::TooLong { max });
    }
    Ok(())
}

/// The name of an organization, user, project, cloud account, template or template connection,
/// and each tag of a cloud account: 1 to 200 characters, not blank, no forbidden character.
/// Kept as given (not trimmed): names compare exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(text: &str) -> Result<Self, TextProblem> {
        check(text, Self::MAX_CHARS, false)?;
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// A short optional text such as a cloud account's environment: up to 200 characters, empty
/// allowed, but not only whitespace, and no forbidden character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label(String);

impl Label {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(text: &str) -> Result<Self, TextProblem> {
        check(text, Self::MAX_CHARS, true)?;
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A description: 1 to 2,000 characters, not blank, no forbidden character (line breaks
/// included: every face shows a description on one line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeText(String);

impl FreeText {
    pub const MAX_CHARS: usize = 2_000;

    pub fn parse(text: &str) -> Result<Self, TextProblem> {
        check(text, Self::MAX_CHARS, false)?;
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The most tags a cloud account (or a Conformity group) may have.
pub const MAX_TAGS: usize = super::conformity::MAX_TAGS;

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_refuse_control_and_bidi_characters() {
        for bad in [
            "a\0b",
            "a\rb",
            "a\nb",
            "a\u{1b}[31m",
            "a\u{7f}",
            "a\u{85}",
            "a\u{2028}",
            "\u{202E}gpj",
            "a\u{2066}b",
            "a\u{2069}",
        ] {
            assert_eq!(
                Name::parse(bad),
                Err(TextProblem::ForbiddenCharacter),
                "{bad:?}"
            );
        }
        assert!(Name::parse("Zoë & Co. — 東京 \u{200D}").is_ok());
    }

    #[test]
    fn names_are_not_blank_and_at_most_200_characters() {
        for blank in ["", " ", "\u{3000} \u{a0}"] {
            assert_eq!(Name::parse(blank), Err(TextProblem::Blank), "{blank:?}");
        }
        let longest = "é".repeat(200);
        assert_eq!(Name::parse(&longest).unwrap().as_str(), longest);
        assert_eq!(
            Name::parse(&"é".repeat(201)),
            Err(TextProblem::TooLong { max: 200 })
        );
    }

    #[test]
    fn labels_may_be_empty_but_not_blank() {
        assert!(Label::parse("").is_ok());
        assert_eq!(Label::parse("  "), Err(TextProblem::Blank));
        assert_eq!(Label::parse("a\0"), Err(TextProblem::ForbiddenCharacter));
    }

    #[test]
    fn free_text_is_at_most_2000_characters() {
        assert!(FreeText::parse(&"x".repeat(2_000)).is_ok());
        assert_eq!(
            FreeText::parse(&"x".repeat(2_001)),
            Err(TextProblem::TooLong { max: 2_000 })
        );
        assert_eq!(
            FreeText::parse("line\nbreak"),
            Err(TextProblem::ForbiddenCharacter)
        );
    }
}
