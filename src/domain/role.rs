use std::fmt;

/// A user's role in their organization. Owners administer the organization and its subtree.
/// No `Default`: a new user's role is chosen where users are created, and a stored role that
/// does not parse is an error, never a fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Member,
}

impl Role {
    /// Exactly "Owner" or "Member", the only values the Xponent API documents.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "Owner" => Some(Self::Owner),
            "Member" => Some(Self::Member),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "Owner",
            Self::Member => "Member",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
