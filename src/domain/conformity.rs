//! Cloud Conformity's own vocabulary: user roles and account access levels (and how they map
//! onto orghub's roles), the clouds accounts live in, and the shapes of the identifiers, names
//! and tags the Conformity documents allow.

use super::Role;

/// A Conformity user role. orghub has two roles; `ADMIN` is an orghub `Owner`, the other three
/// are `Member`s. The Conformity role a user was given is kept beside its orghub role, so that
/// it reads back as given (see [`ConformityRole::of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConformityRole {
    Admin,
    PowerUser,
    User,
    ReadOnly,
}

impl ConformityRole {
    pub const ALL: [Self; 4] = [Self::Admin, Self::PowerUser, Self::User, Self::ReadOnly];

    /// Exactly one of `ADMIN`, `POWER_USER`, `USER`, `READ_ONLY`.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "ADMIN",
            Self::PowerUser => "POWER_USER",
            Self::User => "USER",
            Self::ReadOnly => "READ_ONLY",
        }
    }

    /// The orghub role a user of this Conformity role has.
    pub fn role(self) -> Role {
        match self {
            Self::Admin => Role::Owner,
            Self::PowerUser | Self::User | Self::ReadOnly => Role::Member,
        }
    }

    /// The Conformity role of a user whose orghub role is `role`: the Conformity role it was
    /// given (`stored`) while that still agrees with `role`; otherwise (never given one, or its
    /// orghub role was changed through another face since) `ADMIN` for an Owner and
    /// `READ_ONLY` for a Member, who may read everything of its organisation.
    pub fn of(role: Role, stored: Option<Self>) -> Self {
        match stored {
            Some(stored) if stored.role() == role => stored,
            _ => match role {
                Role::Owner => Self::Admin,
                Role::Member => Self::ReadOnly,
            },
        }
    }
}

/// A user's level of access to one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessLevel {
    None,
    ReadOnly,
    Full,
}

impl AccessLevel {
    /// Exactly one of `NONE`, `READONLY`, `FULL`.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::None, Self::ReadOnly, Self::Full]
            .into_iter()
            .find(|level| level.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::ReadOnly => "READONLY",
            Self::Full => "FULL",
        }
    }
}

/// The cloud an account lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloudType {
    Aws,
    Azure,
    Gcp,
}

impl CloudType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aws => "aws",
            Self::Azure => "azure",
            Self::Gcp => "gcp",
        }
    }

    /// `aws`, `azure` or `gcp`, in any case (the Terraform client sends `GCP` on updates).
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Aws, Self::Azure, Self::Gcp]
            .into_iter()
            .find(|cloud| cloud.as_str().eq_ignore_ascii_case(text))
    }
}

/// The most tags an account or a group may have.
pub const MAX_TAGS: usize = 50;

/// A tag: 1 to 80 letters, digits, spaces, `-` and `_`.
pub fn is_tag(text: &str) -> bool {
    (1..=80).contains(&text.chars().count())
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
}

/// A group name: 3 to 100 letters, digits, spaces and `" - _ ' # & : , . / |`.
pub fn is_group_name(text: &str) -> bool {
    (3..=100).contains(&text.chars().count())
        && text.chars().all(|c| {
            c.is_alphanumeric()
                || matches!(
                    c,
                    '"' | '-' | '_' | '\'' | '#' | '&' | ':' | ',' | '.' | '/' | '|' | ' '
                )
        })
}

/// An Azure GUID (directory, application and subscription ids): 8-4-4-4-12 hexadecimal
/// digits, in either case.
pub fn is_azure_id(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A GCP project id: 6 to 30 lowercase letters, digits and hyphens, starting with a letter and
/// not ending with a hyphen.
pub fn is_gcp_project_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    (6..=30).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes[bytes.len() - 1] != b'-'
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// A GCP service account's unique id (a key's `client_id`): decimal digits.
pub fn is_gcp_unique_id(text: &str) -> bool {
    (1..=32).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

/// An AWS region name: `us-east-1`, `ap-southeast-2`, `us-gov-west-1` …
pub fn is_aws_region(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    (2..=3).contains(&words.len())
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !number.is_empty()
        && number.len() <= 2
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// A Conformity rule id: `S3-021`, `RDS-018`, `Config-001`, custom rule ids … : 1 to 64
/// letters, digits, `-` and `_`, starting with a letter or digit.
pub fn is_rule_id(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text.as_bytes()[0].is_ascii_alphanumeric()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The rule risk levels, lowest first.
pub const RISK_LEVELS: [&str; 5] = ["LOW", "MEDIUM", "HIGH", "VERY_HIGH", "EXTREME"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conformity_roles_map_onto_orghub_roles_and_read_back() {
        assert_eq!(ConformityRole::Admin.role(), Role::Owner);
        for role in [
            ConformityRole::PowerUser,
            ConformityRole::User,
            ConformityRole::ReadOnly,
        ] {
            assert_eq!(role.role(), Role::Member);
            assert_eq!(ConformityRole::of(Role::Member, Some(role)), role);
            assert_eq!(ConformityRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(
            ConformityRole::of(Role::Owner, Some(ConformityRole::User)),
            ConformityRole::Admin
        );
        assert_eq!(
            ConformityRole::of(Role::Member, Some(ConformityRole::Admin)),
            ConformityRole::ReadOnly
        );
        assert_eq!(ConformityRole::of(Role::Owner, None), ConformityRole::Admin);
        assert_eq!(ConformityRole::parse("admin"), None);
    }

    #[test]
    fn identifiers_have_their_documented_shapes() {
        assert!(is_azure_id("9b2a1c3e-1f2d-4e5f-8a9b-0c1d2e3f4a5b"));
        assert!(is_azure_id("9B2A1C3E-1F2D-4E5F-8A9B-0C1D2E3F4A5B"));
        assert!(!is_azure_id("9b2a1c3e1f2d4e5f8a9b0c1d2e3f4a5b"));
        assert!(!is_azure_id("9b2a1c3e-1f2d-4e5f-8a9b-0c1d2e3f4a5g"));
        assert!(is_gcp_project_id("my-project-123"));
        for bad in [
            "short",
            "1project",
            "project-",
            "My-Project",
            &"a".repeat(31),
        ] {
            assert!(!is_gcp_project_id(bad), "{bad}");
        }
        for region in [
            "us-east-1",
            "ap-southeast-2",
            "us-gov-west-1",
            "eu-central-1",
        ] {
            assert!(is_aws_region(region), "{region}");
        }
        for bad in ["us-east", "US-EAST-1", "useast1", "us--1", "us-east-100"] {
            assert!(!is_aws_region(bad), "{bad}");
        }
        assert!(is_rule_id("S3-021") && is_rule_id("Config-001"));
        assert!(!is_rule_id("") && !is_rule_id("-x") && !is_rule_id("a/b"));
    }

    #[test]
    fn names_and_tags_follow_the_documented_characters() {
        assert!(is_group_name("New-Test group #1: a/b | \"c\", d.e & f'g"));
        assert!(!is_group_name("ab") && !is_group_name(&"a".repeat(101)));
        assert!(!is_group_name("semi;colon"));
        assert!(is_tag("dev env_1-a") && is_tag(&"t".repeat(80)));
        assert!(!is_tag("") && !is_tag(&"t".repeat(81)) && !is_tag("a:b"));
    }
}
