/// What kind of bearer token authenticated an actor; stored with each token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// From Xponent `POST /token` (an Owner's secret key, 6 hours).
    Owner,
    /// A 60-second single-use login token; it authenticates nothing until redeemed.
    Login,
    /// A user's session, from a redeemed login token (6 hours).
    Session,
    /// A user's session from Surfsight `POST /authenticate` (email and password, 24 hours).
    Password,
    /// An organization admin token from a Surfsight SSO JWT (no user, 24 hours).
    OrgAdmin,
    /// Not a stored token: the actor of a Cloud Conformity API key.
    ApiKey,
    /// Not a stored token: an idOS IdentityToken (a JWT signed with an identity's key), acting
    /// as the identity's user.
    IdosIdentity,
    /// Not a stored token: an idOS CredentialToken (a handler's JWT naming a credential),
    /// reading the credential's company.
    IdosCredential,
    /// Not a stored token: an idOS UserToken (a credential's JWT naming an end user).
    IdosUser,
    /// A native API access token, issued to an API key acting as an OAuth 2.0 client
    /// (`POST /api/v1/oauth/token`, client credentials; 1 hour). It acts as the key's user.
    Native,
}

impl TokenKind {
    const ALL: [TokenKind; 10] = [
        Self::Owner,
        Self::Login,
        Self::Session,
        Self::Password,
        Self::OrgAdmin,
        Self::ApiKey,
        Self::IdosIdentity,
        Self::IdosCredential,
        Self::IdosUser,
        Self::Native,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Login => "login",
            Self::Session => "session",
            Self::Password => "password",
            Self::OrgAdmin => "org_admin",
            Self::ApiKey => "api_key",
            Self::IdosIdentity => "idos_identity",
            Self::IdosCredential => "idos_credential",
            Self::IdosUser => "idos_user",
            Self::Native => "native",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips() {
        for kind in TokenKind::ALL {
            assert_eq!(TokenKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(TokenKind::parse("Owner"), None);
    }
}
