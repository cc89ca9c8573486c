//! Columns decoded into domain types as rows are read. A value that does not decode fails the
//! read (`sqlx::Error::ColumnDecode`, an internal error): a damaged role never reads as
//! Member, nor damaged tags as none.
//!
//! Every such column is text on both databases; the domain types stay free of sqlx, and
//! their parsers are the only judges of what is valid.

use std::error::Error;
use std::fmt;

use serde::de::DeserializeOwned;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Type};

use crate::domain::connection::ConnectionType;
use crate::domain::{ApiKeyStatus, Email, OrgPath, PublicId, Role, TokenKind};

/// A stored value that is not what its column should hold. It names the column's type and
/// quotes the value only when the value is a name from a closed list (never an email, a
/// path or JSON, which are data).
#[derive(Debug)]
struct Undecodable {
    what: &'static str,
    value: Option<String>,
}

impl fmt::Display for Undecodable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{value:?} is not a valid {}", self.what),
            None => write!(f, "not a valid {}", self.what),
        }
    }
}

impl Error for Undecodable {}

/// Gives `$ty` the SQL type of text, decoded by `$parse` (`&str` → `Option<$ty>`); with
/// `quoted`, a value that does not parse is quoted in the error.
macro_rules! text_column {
    ($ty:ty, $what:literal, $parse:expr, $quoted:literal) => {
        impl<DB: Database> Type<DB> for $ty
        where
            str: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <str as Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <str as Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $ty
        where
            &'r str: Decode<'r, DB>,
        {
            fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let text = <&str as Decode<DB>>::decode(value)?;
                let parse: fn(&str) -> Option<$ty> = $parse;
                parse(text).ok_or_else(|| {
                    Box::new(Undecodable {
                        what: $what,
                        value: $quoted.then(|| text.to_owned()),
                    }) as BoxDynError
                })
            }
        }
    };
}

text_column!(Role, "role", Role::parse, true);
text_column!(TokenKind, "token kind", TokenKind::parse, true);
text_column!(ApiKeyStatus, "API key status", ApiKeyStatus::parse, true);
text_column!(
    ConnectionType,
    "connection type",
    ConnectionType::parse,
    true
);
text_column!(PublicId, "public id", PublicId::parse, true);
text_column!(OrgPath, "organization path", OrgPath::parse, false);
text_column!(Email, "email address", Email::stored, false);

/// A column holding JSON as text, decoded into `T`.
#[derive(Debug, Clone)]
pub struct JsonText<T>(pub T);

impl<T, DB: Database> Type<DB> for JsonText<T>
where
    str: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <str as Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <str as Type<DB>>::compatible(ty)
    }
}

impl<'r, T: DeserializeOwned, DB: Database> Decode<'r, DB> for JsonText<T>
where
    &'r str: Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<DB>>::decode(value)?;
        serde_json::from_str(text).map(JsonText).map_err(|_| {
            Box::new(Undecodable {
                what: "JSON text of the expected shape",
                value: None,
            }) as BoxDynError
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::{Email, PublicId, Role};
    use crate::store::{Location, NewCloudAccount, NewUser, Store, StoreError, on_tx};

    /// A store with one organization and one user, whose ids it returns.
    async fn store(dir: &tempfile::TempDir) -> (Store, i64, i64) {
        let store = Store::open(Location::SqliteFile(&dir.path().join("d.sqlite3")))
            .await
            .unwrap();
        let mut tx = store.begin().await.unwrap();
        let org = tx
            .insert_org(&PublicId::new(), "Org", None, "eu", 1)
            .await
            .unwrap();
        let user = NewUser {
            public_id: &PublicId::new(),
            org_id: org,
            root_id: org,
            name: "Mo",
            email: &Email::parse("mo@example.com").unwrap(),
            role: Role::Member,
            partner: false,
            password_hash: None,
            region: "eu",
        };
        let user = tx.insert_user(&user, 1).await.unwrap();
        tx.commit().await.unwrap();
        (store, org, user)
    }

    /// Runs `sql` behind the store's back, as a hand edit would.
    async fn damage(store: &Store, sql: &'static str) {
        let mut tx = store.begin().await.unwrap();
        on_tx!(tx, |c| {
            sqlx::query(sql).execute(c).await.unwrap().rows_affected()
        });
        tx.commit().await.unwrap();
    }

    #[tokio::test]
    async fn a_role_that_is_not_one_fails_the_read() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _, user) = store(&dir).await;
        assert_eq!(
            store.read().user_by_id(user).await.unwrap().unwrap().role,
            Role::Member
        );
        damage(&store, "UPDATE users SET role = 'Superuser'").await;
        let error = store.read().user_by_id(user).await.unwrap_err();
        assert!(matches!(error, StoreError::Database(_)), "{error:?}");
        let message = error.to_string();
        assert!(
            message.contains("role") && message.contains("\"Superuser\" is not a valid role"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn tags_that_are_not_json_fail_the_read_and_an_email_is_not_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let (store, org, user) = store(&dir).await;
        let id = PublicId::new();
        let mut tx = store.begin().await.unwrap();
        let account = NewCloudAccount {
            public_id: &id,
            org_id: org,
            name: "Prod",
            environment: "production",
            tags: r#"["a"]"#,
            aws_account_id: "223334445555",
            role_arn: "arn:aws:iam::223334445555:role/R",
            external_id: "x",
        };
        tx.insert_cloud_account(&account, 1).await.unwrap();
        tx.commit().await.unwrap();
        let read = store.read().cloud_account_by_public_id(&id).await;
        assert_eq!(read.unwrap().unwrap().tags.0, ["a"]);

        damage(&store, "UPDATE cloud_accounts SET tags = 'not json'").await;
        assert!(store.read().cloud_account_by_public_id(&id).await.is_err());

        damage(&store, "UPDATE users SET email = 'not an email'").await;
        let message = store.read().user_by_id(user).await.unwrap_err().to_string();
        assert!(message.contains("not a valid email address"), "{message}");
        assert!(!message.contains("not an email"), "{message}");
    }
}
