//! Slugs: the URL names idOS gives companies and credentials, `[a-z0-9_-]+`, made from names.

/// The slug of `name`: lower-case ASCII letters and digits, `_` and `-` kept, every other run of
/// characters one `-`, no `-` at either end. A name with nothing left gives `fallback`.
pub fn slugify(name: &str, fallback: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            if dash && !slug.is_empty() {
                slug.push('-');
            }
            dash = false;
            slug.push(c);
        } else {
            dash = true;
        }
    }
    if slug.is_empty() {
        fallback.to_owned()
    } else {
        slug
    }
}

/// True for a slug as idOS routes accept it: `[a-z0-9_-]+`.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_slugs() {
        assert_eq!(slugify("Veridu Ltd", "x"), "veridu-ltd");
        assert_eq!(slugify("  NewCo. ", "x"), "newco");
        assert_eq!(slugify("a -- b__c", "x"), "a-b__c");
        assert_eq!(slugify("Ünïcode", "x"), "n-code");
        assert_eq!(slugify("!!!", "company"), "company");
        assert!(is_slug("veridu-ltd_2"));
        assert!(!is_slug("Veridu"));
        assert!(!is_slug(""));
    }
}
