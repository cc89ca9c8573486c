/// Whether an API key still authenticates. A revoked key stays listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeyStatus {
    Active,
    Revoked,
}

impl ApiKeyStatus {
    /// The stored form, which Cloud Conformity also shows.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Revoked => "REVOKED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Active, Self::Revoked]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}
