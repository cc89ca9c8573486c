//! Tenant isolation, one table for every route of every face: a caller from another root's
//! tree, a Member of a child organization and an organization admin token of a child
//! organization each get the face's refusal (or, on a route scoped to the caller itself, an
//! answer about itself), never a 5xx, and never a byte of the victim's data that the request
//! did not carry itself.
//!
//! A route a face's router has and this table lacks fails the test: a new route must join it.
//!
//! idOS callers authenticate with tokens of their own: an identity of the other root's owner
//! and of the child's Member, and the child company's credential token for the admin-token
//! caller. Some idOS rows name the victim's records under the caller's own company.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use jsonwebtoken::Algorithm;
use serde_json::json;

use crate::conformity_clouds::{azure_account, gcp_organisation};
use crate::helpers::{
    AZURE_APPLICATION, AZURE_APPLICATION_KEY, AZURE_DIRECTORY, AZURE_SUBSCRIPTION, GCP_UNIQUE_ID,
    OWNER_PASSWORD, TestApp, gcp_key, sso_jwt, sso_timestamp,
};
use crate::idos::{idos, jwt};
use orghub::hooks::HookSettings;

/// How a route is reached on each face.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Face {
    Xponent,
    Surfsight,
    Conformity,
    Idos,
    Native,
}

impl Face {
    const ALL: [Face; 5] = [
        Face::Xponent,
        Face::Surfsight,
        Face::Conformity,
        Face::Idos,
        Face::Native,
    ];

    fn base(self) -> &'static str {
        match self {
            Face::Xponent => "/xponent",
            Face::Surfsight => "/surfsight/v2",
            Face::Conformity => "/conformity/v1",
            Face::Idos => "/idos/1.0",
            Face::Native => "/api/v1",
        }
    }
}

/// The statuses a route may answer a foreign caller.
const REFUSED: &[u16] = &[401, 403, 404];
/// A route scoped to the caller itself: it may succeed, about the caller.
const OWN: &[u16] = &[200, 403, 404];
/// An idOS route scoped to the caller itself, which a credential token may not take (401:
/// see `refusal`).
const IDOS_OWN: &[u16] = &[200, 401, 403, 404];
/// An idOS route that needs no token: it answers anyone, with what the face makes public.
const PUBLIC: &[u16] = &[200];

struct Route {
    face: Face,
    method: &'static str,
    /// As in the face's router; `{org_id}`, `{user_id}`, `{project_id}`, `{account_id}`,
    /// `{group_id}`, `{organisation_id}` (a GCP organisation) and `{directory_id}` (an Azure
    /// active directory) name the victim's records, `{rule_id}` a rule it has a setting for.
    path: &'static str,
    /// `{org_id}`… are replaced here too; `{external_id}` is the victim's external ID.
    body: Option<&'static str>,
    allowed: &'static [u16],
    /// Routes that take no bearer credential carry their own (a sign-in, a JWT…).
    own_auth: Option<OwnAuth>,
    /// idOS: whose company (and credential) the path names; the records below them are the
    /// victim's all the same.
    parent: Parent,
    /// Markers (placeholders filled) that a route answering anyone shows by design: a
    /// company's name and public key, a widget's label and credential.
    public: &'static [&'static str],
}

/// Whose company and credential an idOS path names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parent {
    /// The victim's: `{companySlug}` and `{pubKey}` are the victim's.
    Victim,
    /// The caller's own company and credential, naming a record of the victim's below them.
    Own,
    /// The caller's own company with the victim's credential.
    OwnCompany,
}

#[derive(Clone, Copy)]
enum OwnAuth {
    /// No `Authorization`: the body is the credential.
    None,
    /// A Surfsight SSO JWT for the victim's child organization, signed with the caller's
    /// own SSO secret.
    ForeignJwt,
}

const fn route(
    face: Face,
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    allowed: &'static [u16],
) -> Route {
    Route {
        face,
        method,
        path,
        body,
        allowed,
        own_auth: None,
        parent: Parent::Victim,
        public: &[],
    }
}

/// An idOS route under the caller's own company (and credential), naming the victim's record.
const fn own(parent: Parent, route: Route) -> Route {
    Route { parent, ..route }
}

/// The native face's paths, which its OpenAPI document holds as strings.
fn native_paths() -> Vec<&'static str> {
    orghub::http::faces::native::paths()
        .into_iter()
        .map(|path| &*Box::leak(path.into_boxed_str()))
        .collect()
}

/// The native API's routes.
fn native_table() -> Vec<Route> {
    use Face::Native;
    vec![
        route(
            Native,
            "POST",
            "/orgs",
            Some(r#"{"name":"Intruder","parentId":"{org_id}"}"#),
            REFUSED,
        ),
        route(Native, "GET", "/orgs/{org_id}", None, REFUSED),
        route(
            Native,
            "PATCH",
            "/orgs/{org_id}",
            Some(r#"{"name":"Pwned"}"#),
            REFUSED,
        ),
        route(Native, "DELETE", "/orgs/{org_id}", None, REFUSED),
        route(Native, "GET", "/orgs/{org_id}/children", None, REFUSED),
        route(Native, "GET", "/orgs/{org_id}/subtree", None, REFUSED),
        route(Native, "GET", "/orgs/{org_id}/ancestors", None, REFUSED),
        route(
            Native,
            "POST",
            "/users",
            Some(r#"{"orgId":"{org_id}","name":"Intruder","email":"intruder@victim.test"}"#),
            REFUSED,
        ),
        route(Native, "GET", "/users", None, OWN),
        route(Native, "GET", "/users/{user_id}", None, REFUSED),
        route(
            Native,
            "PATCH",
            "/users/{user_id}",
            Some(r#"{"role":"Owner"}"#),
            REFUSED,
        ),
        route(Native, "DELETE", "/users/{user_id}", None, REFUSED),
        route(
            Native,
            "PUT",
            "/users/{user_id}/role",
            Some(r#"{"role":"Owner"}"#),
            REFUSED,
        ),
        route(
            Native,
            "PUT",
            "/users/{user_id}/password",
            Some(r#"{"password":"taken over at last"}"#),
            REFUSED,
        ),
        route(Native, "GET", "/events", None, OWN),
        route(
            Native,
            "POST",
            "/orgs/{org_id}/hooks",
            Some(r#"{"url":"{intruder_url}"}"#),
            REFUSED,
        ),
        route(Native, "GET", "/orgs/{org_id}/hooks", None, REFUSED),
        route(Native, "GET", "/hooks/{hook_id}", None, REFUSED),
        route(
            Native,
            "PATCH",
            "/hooks/{hook_id}",
            Some(r#"{"enabled":false}"#),
            REFUSED,
        ),
        route(Native, "DELETE", "/hooks/{hook_id}", None, REFUSED),
        route(Native, "GET", "/hooks/{hook_id}/deliveries", None, REFUSED),
        route(
            Native,
            "POST",
            "/hooks/{hook_id}/replay",
            Some(r#"{"eventId":"{org_id}"}"#),
            REFUSED,
        ),
        route(Native, "GET", "/orgs/{org_id}/templates", None, REFUSED),
        route(
            Native,
            "POST",
            "/orgs/{org_id}/templates",
            Some(r#"{"name":"Intruder","type":"intrusion"}"#),
            REFUSED,
        ),
        route(Native, "GET", "/orgs/{org_id}/projects", None, REFUSED),
        route(
            Native,
            "POST",
            "/orgs/{org_id}/projects",
            Some(r#"{"name":"Intruder","description":"intrusion"}"#),
            REFUSED,
        ),
        route(Native, "GET", "/projects/{project_id}", None, REFUSED),
        route(
            Native,
            "PATCH",
            "/projects/{project_id}",
            Some(r#"{"name":"Pwned"}"#),
            REFUSED,
        ),
        route(Native, "DELETE", "/projects/{project_id}", None, REFUSED),
        // Any id names the connection: the project is refused first.
        route(
            Native,
            "PUT",
            "/projects/{project_id}/connections/{connection_id}",
            Some(r#"{"type":"email","host":"pwned.test"}"#),
            REFUSED,
        ),
        route(Native, "GET", "/cloud-accounts", None, OWN),
        route(
            Native,
            "POST",
            "/cloud-accounts",
            Some(
                r#"{"name":"Intruder","environment":"x","roleArn":"ROLE_ARN","externalId":"{external_id}"}"#,
            ),
            // 404: a Member may not administer its organization's accounts.
            &[404, 422],
        ),
        route(Native, "GET", "/cloud-accounts/{account_id}", None, REFUSED),
        route(
            Native,
            "DELETE",
            "/cloud-accounts/{account_id}",
            None,
            REFUSED,
        ),
        route(Native, "GET", "/external-id", None, OWN),
        route(Native, "POST", "/external-ids", None, &[201, 404]),
        route(Native, "POST", "/users/{user_id}/api-keys", None, REFUSED),
        route(Native, "GET", "/users/{user_id}/api-keys", None, REFUSED),
        route(Native, "DELETE", "/api-keys/{key_id}", None, REFUSED),
        route(Native, "POST", "/users/{user_id}/secret-key", None, REFUSED),
        route(
            Native,
            "POST",
            "/orgs/{org_id}/idos-credentials",
            Some(r#"{"name":"Intruder"}"#),
            REFUSED,
        ),
        route(
            Native,
            "GET",
            "/orgs/{org_id}/idos-credentials",
            None,
            REFUSED,
        ),
        route(
            Native,
            "GET",
            "/orgs/{org_id}/idos-credentials/{credential_key}",
            None,
            REFUSED,
        ),
        route(
            Native,
            "PATCH",
            "/orgs/{org_id}/idos-credentials/{credential_key}",
            Some(r#"{"name":"Pwned"}"#),
            REFUSED,
        ),
        route(
            Native,
            "DELETE",
            "/orgs/{org_id}/idos-credentials/{credential_key}",
            None,
            REFUSED,
        ),
        route(
            Native,
            "POST",
            "/orgs/{org_id}/idos-handlers",
            Some(r#"{"name":"Intruder","authUsername":"intruder","authPassword":"intruder"}"#),
            REFUSED,
        ),
        route(Native, "GET", "/orgs/{org_id}/idos-handlers", None, REFUSED),
        route(
            Native,
            "GET",
            "/orgs/{org_id}/idos-handlers/{handler_key}",
            None,
            REFUSED,
        ),
        route(
            Native,
            "PATCH",
            "/orgs/{org_id}/idos-handlers/{handler_key}",
            Some(r#"{"enabled":false,"authPassword":"taken over"}"#),
            REFUSED,
        ),
        route(
            Native,
            "DELETE",
            "/orgs/{org_id}/idos-handlers/{handler_key}",
            None,
            REFUSED,
        ),
        route(
            Native,
            "POST",
            "/users/{user_id}/identity-keys",
            None,
            REFUSED,
        ),
        route(
            Native,
            "GET",
            "/users/{user_id}/identity-keys",
            None,
            REFUSED,
        ),
        route(
            Native,
            "DELETE",
            "/users/{user_id}/identity-keys/{identity_key}",
            None,
            REFUSED,
        ),
        route(Native, "GET", "/openapi.json", None, PUBLIC),
        route(Native, "GET", "/docs", None, PUBLIC),
        route(Native, "GET", "/docs/scalar.js", None, PUBLIC),
        // OAuth: the victim's token is inactive to any other caller, and stays unrevoked
        // (checked below: it still lists the victim's organizations).
        route(
            Native,
            "POST",
            "/oauth/introspect",
            Some(r#"{"token":"{victim_token}"}"#),
            PUBLIC,
        ),
        route(
            Native,
            "POST",
            "/oauth/revoke",
            Some(r#"{"token":"{victim_token}"}"#),
            PUBLIC,
        ),
        Route {
            own_auth: Some(OwnAuth::None),
            ..route(
                Native,
                "POST",
                "/oauth/token",
                Some(
                    r#"{"grant_type":"client_credentials","client_id":"{owner_id}","client_secret":"{victim_token}"}"#,
                ),
                &[401],
            )
        },
    ]
}

/// Every route of every face.
fn table() -> Vec<Route> {
    use Face::*;
    let mut table = native_table();
    table.extend(vec![
        Route {
            own_auth: Some(OwnAuth::None),
            ..route(
                Xponent,
                "POST",
                "/token",
                Some(
                    r#"{"userId":"{owner_id}","nonce":"000000000000000000000000000000000000","hash":"00"}"#,
                ),
                &[401],
            )
        },
        Route {
            own_auth: Some(OwnAuth::None),
            ..route(
                Xponent,
                "POST",
                "/login",
                Some(r#"{"token":"{token}"}"#),
                &[401],
            )
        },
        route(Xponent, "GET", "/org", None, OWN),
        route(
            Xponent,
            "POST",
            "/org",
            Some(r#"{"name":"Intruder","parentId":"{org_id}"}"#),
            REFUSED,
        ),
        route(
            Xponent,
            "PUT",
            "/org/{org_id}",
            Some(r#"{"name":"Pwned"}"#),
            REFUSED,
        ),
        route(Xponent, "DELETE", "/org/{org_id}", None, REFUSED),
        route(Xponent, "GET", "/org/{org_id}/templates", None, REFUSED),
        route(Xponent, "GET", "/project/org/{org_id}", None, REFUSED),
        route(
            Xponent,
            "POST",
            "/project/org/{org_id}",
            Some(r#"{"name":"Intruder","description":"x"}"#),
            REFUSED,
        ),
        route(
            Xponent,
            "PUT",
            "/project/{project_id}",
            Some(r#"{"name":"Pwned"}"#),
            REFUSED,
        ),
        route(Xponent, "DELETE", "/project/{project_id}", None, REFUSED),
        route(Xponent, "GET", "/user", None, OWN),
        route(
            Xponent,
            "POST",
            "/user/org/{org_id}",
            Some(r#"[{"name":"Intruder","email":"intruder@victim.test"}]"#),
            REFUSED,
        ),
        route(
            Xponent,
            "PUT",
            "/user/{user_id}",
            Some(r#"{"role":"Owner"}"#),
            REFUSED,
        ),
        route(Xponent, "DELETE", "/user/{user_id}", None, REFUSED),
        route(Xponent, "GET", "/user/{user_id}/loginToken", None, REFUSED),
        Route {
            own_auth: Some(OwnAuth::None),
            ..route(
                Surfsight,
                "POST",
                "/authenticate",
                Some(r#"{"email":"owner@victim.test","password":"not the password"}"#),
                &[401],
            )
        },
        route(Surfsight, "GET", "/organizations", None, OWN),
        route(
            Surfsight,
            "POST",
            "/organizations",
            Some(r#"{"name":"Own child"}"#),
            OWN,
        ),
        Route {
            own_auth: Some(OwnAuth::ForeignJwt),
            ..route(Surfsight, "GET", "/organizations/sso", None, &[401])
        },
        route(Conformity, "GET", "/api-keys", None, OWN),
        route(Conformity, "GET", "/organisation/external-id", None, OWN),
        route(Conformity, "POST", "/external-ids", None, OWN),
        route(Conformity, "GET", "/accounts", None, OWN),
        route(
            Conformity,
            "POST",
            "/accounts",
            Some(
                r#"{"data":{"attributes":{"name":"Intruder","access":{"keys":{"roleArn":"ROLE_ARN","externalId":"{external_id}"}}}}}"#,
            ),
            &[403, 422],
        ),
        route(Conformity, "GET", "/accounts/{account_id}", None, REFUSED),
        route(
            Conformity,
            "PATCH",
            "/accounts/{account_id}",
            Some(r#"{"data":{"attributes":{"name":"Pwned"}}}"#),
            REFUSED,
        ),
        route(
            Conformity,
            "DELETE",
            "/accounts/{account_id}",
            None,
            REFUSED,
        ),
        route(
            Conformity,
            "GET",
            "/accounts/{account_id}/access",
            None,
            REFUSED,
        ),
        // Azure and GCP accounts of one's own, naming the victim's directory and service
        // account: they are not one's own (before one registers the same ones below).
        route(
            Conformity,
            "POST",
            "/accounts/azure",
            Some(
                r#"{"data":{"attributes":{"name":"Intruder","access":{"subscriptionId":"{azure_subscription}","activeDirectoryId":"{directory_id}"}}}}"#,
            ),
            &[403, 422],
        ),
        route(
            Conformity,
            "POST",
            "/accounts/gcp",
            Some(
                r#"{"data":{"attributes":{"name":"Intruder","access":{"projectId":"intruder-1","projectName":"Intruder","serviceAccountUniqueId":"{gcp_unique_id}"}}}}"#,
            ),
            &[403, 422],
        ),
        route(
            Conformity,
            "PATCH",
            "/accounts/{account_id}/settings/bot",
            Some(r#"{"data":{"attributes":{"settings":{"bot":{"delay":9}}}}}"#),
            REFUSED,
        ),
        route(
            Conformity,
            "GET",
            "/accounts/{account_id}/settings/rules",
            None,
            REFUSED,
        ),
        route(
            Conformity,
            "PATCH",
            "/accounts/{account_id}/settings/rules",
            Some(
                r#"{"data":{"attributes":{"ruleSettings":[{"id":"{rule_id}","enabled":false,"riskLevel":"LOW"}]}}}"#,
            ),
            REFUSED,
        ),
        route(
            Conformity,
            "GET",
            "/accounts/{account_id}/settings/rules/{rule_id}",
            None,
            REFUSED,
        ),
        route(
            Conformity,
            "PATCH",
            "/accounts/{account_id}/settings/rules/{rule_id}",
            Some(
                r#"{"data":{"attributes":{"note":"pwned","ruleSetting":{"id":"{rule_id}","enabled":false,"riskLevel":"LOW"}}}}"#,
            ),
            REFUSED,
        ),
        route(
            Conformity,
            "GET",
            "/azure/active-directories/{directory_id}/subscriptions",
            None,
            REFUSED,
        ),
        // The same directory and service account, registered for oneself: allowed, and
        // nothing of the victim's comes with them.
        route(
            Conformity,
            "POST",
            "/azure/active-directories",
            Some(
                r#"{"data":{"attributes":{"name":"Intruder","directoryId":"{directory_id}","applicationId":"{azure_application}","applicationKey":"intruder key"}}}"#,
            ),
            &[200, 403],
        ),
        route(
            Conformity,
            "GET",
            "/gcp/organisations/{organisation_id}/projects",
            None,
            REFUSED,
        ),
        route(
            Conformity,
            "POST",
            "/gcp/organisations",
            Some(r#"{"data":{"serviceAccountName":"Intruder","serviceAccountKeyJson":{gcp_key}}}"#),
            &[200, 403],
        ),
        route(Conformity, "GET", "/groups", None, OWN),
        route(
            Conformity,
            "POST",
            "/groups",
            Some(r#"{"data":{"attributes":{"name":"Intruders","tags":["pci"]}}}"#),
            OWN,
        ),
        route(Conformity, "GET", "/groups/{group_id}", None, REFUSED),
        route(
            Conformity,
            "PATCH",
            "/groups/{group_id}",
            Some(r#"{"data":{"attributes":{"name":"Pwned group"}}}"#),
            REFUSED,
        ),
        route(Conformity, "DELETE", "/groups/{group_id}", None, REFUSED),
        route(Conformity, "GET", "/users", None, OWN),
        // Invitations of one's own, with the victim's account in the access list.
        route(
            Conformity,
            "POST",
            "/users",
            Some(
                r#"{"data":{"attributes":{"firstName":"In","lastName":"Truder","email":"invited@intruder.test","role":"USER","accessList":[{"account":"{account_id}","level":"FULL"}]}}}"#,
            ),
            &[403, 422],
        ),
        route(Conformity, "GET", "/users/whoami", None, OWN),
        route(
            Conformity,
            "POST",
            "/users/sso",
            Some(
                r#"{"data":{"attributes":{"firstName":"In","lastName":"Truder","email":"sso@intruder.test","role":"USER","accessList":[{"account":"{account_id}","level":"FULL"}]}}}"#,
            ),
            &[403, 422],
        ),
        route(Conformity, "GET", "/users/{user_id}", None, REFUSED),
        route(
            Conformity,
            "PATCH",
            "/users/{user_id}",
            Some(r#"{"data":{"role":"ADMIN"}}"#),
            REFUSED,
        ),
        route(Conformity, "DELETE", "/users/{user_id}", None, REFUSED),
        // idOS. `{companySlug}`, `{pubKey}`, `{handlerId}`, `{hookId}`, `{invitationId}`,
        // `{memberId}`, `{userId}` (a company profile), `{settingId}`, `{subscriptionId}` and
        // `{widgetHash}` name the victim's records.
        route(Idos, "GET", "/", None, PUBLIC),
        route(Idos, "GET", "/companies", None, IDOS_OWN),
        Route {
            public: &["VICTIM", "{company_public_key}"],
            ..route(Idos, "GET", "/companies/{companySlug}", None, PUBLIC)
        },
        route(
            Idos,
            "POST",
            "/companies/{companySlug}",
            Some(r#"{"name":"Intruder company"}"#),
            REFUSED,
        ),
        route(
            Idos,
            "PATCH",
            "/companies/{companySlug}",
            Some(r#"{"name":"Pwned company"}"#),
            REFUSED,
        ),
        route(Idos, "DELETE", "/companies/{companySlug}", None, REFUSED),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/credentials",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "POST",
            "/companies/{companySlug}/credentials",
            Some(r#"{"name":"Intruder key","production":true}"#),
            REFUSED,
        ),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/credentials/{pubKey}",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "PUT",
            "/companies/{companySlug}/credentials/{pubKey}",
            Some(r#"{"name":"Pwned key"}"#),
            REFUSED,
        ),
        route(
            Idos,
            "PATCH",
            "/companies/{companySlug}/credentials/{pubKey}",
            Some(r#"{"name":"Pwned key"}"#),
            REFUSED,
        ),
        route(
            Idos,
            "DELETE",
            "/companies/{companySlug}/credentials/{pubKey}",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/handlers",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "POST",
            "/companies/{companySlug}/handlers",
            Some(r#"{"name":"Intruder","authUsername":"intruder","authPassword":"intruder"}"#),
            REFUSED,
        ),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/handlers/{handlerId}",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "PATCH",
            "/companies/{companySlug}/handlers/{handlerId}",
            Some(r#"{"name":"Pwned","enabled":false}"#),
            REFUSED,
        ),
        route(
            Idos,
            "DELETE",
            "/companies/{companySlug}/handlers/{handlerId}",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/credentials/{pubKey}/hooks",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "POST",
            "/companies/{companySlug}/credentials/{pubKey}/hooks",
            Some(r#"{"trigger":"user.created","url":"{intruder_url}"}"#),
            REFUSED,
        ),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/credentials/{pubKey}/hooks/{hookId}",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "PATCH",
            "/companies/{companySlug}/credentials/{pubKey}/hooks/{hookId}",
            Some(r#"{"url":"{intruder_url}","subscribed":false}"#),
            REFUSED,
        ),
        route(
            Idos,
            "DELETE",
            "/companies/{companySlug}/credentials/{pubKey}/hooks/{hookId}",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/invitations",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "POST",
            "/companies/{companySlug}/invitations",
            Some(
                r#"{"role":"company.owner","email":"invited@intruder.test","name":"Intruder","credentialPubKey":"{pubKey}"}"#,
            ),
            REFUSED,
        ),
        route(
            Idos,
            "PATCH",
            "/companies/{companySlug}/invitations/{invitationId}",
            Some(r#"{"expires":"{expires}"}"#),
            REFUSED,
        ),
        route(
            Idos,
            "DELETE",
            "/companies/{companySlug}/invitations/{invitationId}",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "PATCH",
            "/companies/{companySlug}/invitation/{invitationId}",
            Some(r#"{"expires":"{expires}"}"#),
            REFUSED,
        ),
        route(
            Idos,
            "DELETE",
            "/companies/{companySlug}/invitation/{invitationId}",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/members",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/members/{memberId}",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "PATCH",
            "/companies/{companySlug}/members/{memberId}",
            Some(r#"{"role":"company.owner"}"#),
            REFUSED,
        ),
        route(
            Idos,
            "DELETE",
            "/companies/{companySlug}/members/{memberId}",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/membership",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/profiles",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/profiles/{userId}",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "DELETE",
            "/companies/{companySlug}/profiles/{userId}",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/settings",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "POST",
            "/companies/{companySlug}/settings",
            Some(r#"{"section":"intruder","property":"planted","value":"planted"}"#),
            REFUSED,
        ),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/settings/{settingId}",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "PATCH",
            "/companies/{companySlug}/settings/{settingId}",
            Some(r#"{"value":"pwned","protected":false}"#),
            REFUSED,
        ),
        route(
            Idos,
            "DELETE",
            "/companies/{companySlug}/settings/{settingId}",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/credentials/{pubKey}/subscriptions",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "POST",
            "/companies/{companySlug}/credentials/{pubKey}/subscriptions",
            Some(r#"{"categorySlug":"intruder"}"#),
            REFUSED,
        ),
        route(
            Idos,
            "DELETE",
            "/companies/{companySlug}/credentials/{pubKey}/subscriptions/{subscriptionId}",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "GET",
            "/companies/{companySlug}/widgets",
            None,
            REFUSED,
        ),
        route(
            Idos,
            "POST",
            "/companies/{companySlug}/widgets",
            Some(r#"{"label":"Intruder","type":"embedded-widget","credentialPubKey":"{pubKey}"}"#),
            REFUSED,
        ),
        // A widget is public: its label, config and credential are shown to anyone.
        Route {
            public: &["VICTIM", "{pubKey}"],
            ..route(
                Idos,
                "GET",
                "/companies/{companySlug}/widgets/{widgetHash}",
                None,
                PUBLIC,
            )
        },
        route(
            Idos,
            "PUT",
            "/companies/{companySlug}/widgets/{widgetHash}",
            Some(r#"{"label":"Pwned","type":"embedded-widget","enabled":false}"#),
            REFUSED,
        ),
        route(
            Idos,
            "DELETE",
            "/companies/{companySlug}/widgets/{widgetHash}",
            None,
            REFUSED,
        ),
        // The victim's records named under the caller's own company (and credential).
        own(
            Parent::OwnCompany,
            route(
                Idos,
                "GET",
                "/companies/{companySlug}/credentials/{pubKey}",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::OwnCompany,
            route(
                Idos,
                "PATCH",
                "/companies/{companySlug}/credentials/{pubKey}",
                Some(r#"{"name":"Pwned key"}"#),
                REFUSED,
            ),
        ),
        own(
            Parent::OwnCompany,
            route(
                Idos,
                "DELETE",
                "/companies/{companySlug}/credentials/{pubKey}",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "GET",
                "/companies/{companySlug}/handlers/{handlerId}",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "PATCH",
                "/companies/{companySlug}/handlers/{handlerId}",
                Some(r#"{"name":"Pwned","enabled":false}"#),
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "DELETE",
                "/companies/{companySlug}/handlers/{handlerId}",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::OwnCompany,
            route(
                Idos,
                "GET",
                "/companies/{companySlug}/credentials/{pubKey}/hooks",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::OwnCompany,
            route(
                Idos,
                "POST",
                "/companies/{companySlug}/credentials/{pubKey}/hooks",
                Some(r#"{"trigger":"user.created","url":"{intruder_url}"}"#),
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "GET",
                "/companies/{companySlug}/credentials/{pubKey}/hooks/{hookId}",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "PATCH",
                "/companies/{companySlug}/credentials/{pubKey}/hooks/{hookId}",
                Some(r#"{"url":"{intruder_url}","subscribed":false}"#),
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "DELETE",
                "/companies/{companySlug}/credentials/{pubKey}/hooks/{hookId}",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::OwnCompany,
            route(
                Idos,
                "POST",
                "/companies/{companySlug}/invitations",
                Some(
                    r#"{"role":"company.reviewer","email":"invited2@intruder.test","name":"Intruder","credentialPubKey":"{pubKey}"}"#,
                ),
                &[400, 401, 403, 404],
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "PATCH",
                "/companies/{companySlug}/invitations/{invitationId}",
                Some(r#"{"expires":"{expires}"}"#),
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "DELETE",
                "/companies/{companySlug}/invitation/{invitationId}",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "GET",
                "/companies/{companySlug}/members/{memberId}",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "PATCH",
                "/companies/{companySlug}/members/{memberId}",
                Some(r#"{"role":"company.owner"}"#),
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "DELETE",
                "/companies/{companySlug}/members/{memberId}",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "GET",
                "/companies/{companySlug}/profiles/{userId}",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "DELETE",
                "/companies/{companySlug}/profiles/{userId}",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "GET",
                "/companies/{companySlug}/settings/{settingId}",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "PATCH",
                "/companies/{companySlug}/settings/{settingId}",
                Some(r#"{"value":"pwned","protected":false}"#),
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "DELETE",
                "/companies/{companySlug}/settings/{settingId}",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::OwnCompany,
            route(
                Idos,
                "GET",
                "/companies/{companySlug}/credentials/{pubKey}/subscriptions",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "DELETE",
                "/companies/{companySlug}/credentials/{pubKey}/subscriptions/{subscriptionId}",
                None,
                REFUSED,
            ),
        ),
        own(
            Parent::OwnCompany,
            route(
                Idos,
                "POST",
                "/companies/{companySlug}/widgets",
                Some(
                    r#"{"label":"Intruder","type":"embedded-widget","credentialPubKey":"{pubKey}"}"#,
                ),
                &[400, 401, 403, 404],
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "GET",
                "/companies/{companySlug}/widgets/{widgetHash}",
                None,
                &[404],
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "PUT",
                "/companies/{companySlug}/widgets/{widgetHash}",
                Some(r#"{"label":"Pwned","type":"embedded-widget","enabled":false}"#),
                REFUSED,
            ),
        ),
        own(
            Parent::Own,
            route(
                Idos,
                "DELETE",
                "/companies/{companySlug}/widgets/{widgetHash}",
                None,
                REFUSED,
            ),
        ),
    ]);
    table
}

/// The victim: a root with a child organization (created through Surfsight, so that it has an
/// SSO secret), a user, a project, a cloud account (with Bot and rule settings), an Azure
/// directory and account, a GCP organisation and a group, each named so that it shows where
/// it can be.
struct Victim {
    org: String,
    owner: String,
    user: String,
    project: String,
    account: String,
    external_id: String,
    gcp_organisation: String,
    group: String,
    /// The child organization: its UUID, its integer id and its SSO secret.
    child: String,
    child_int: i64,
    child_sso_secret: String,
    /// The owner's Xponent token.
    token: String,
    /// The victim's idOS records.
    idos: IdosVictim,
    /// A hook of the victim's root organization (the native API's `{hook_id}`).
    hook: String,
    /// An API key of the victim's user (the native API's `{key_id}`).
    api_key: String,
    /// Strings that must never reach another tenant's caller.
    markers: Vec<String>,
}

/// The victim's idOS records: its company, a credential with a handler, a hook, a
/// subscription and a company profile, a member (the victim's user), an invitation, a
/// (protected) setting and a widget; and in its child company a credential and a handler,
/// whose credential token is the child's admin-token caller's.
struct IdosVictim {
    slug: String,
    /// The company's public key (its UUID without hyphens), which `GET /companies/{slug}`
    /// shows to anyone.
    company_public_key: String,
    /// The owner's identity token.
    auth: String,
    pub_key: String,
    handler: i64,
    /// The handler's public key (the native API's `{handler_key}`).
    handler_key: String,
    /// The owner's identity key (the native API's `{identity_key}`).
    identity_key: String,
    hook: i64,
    hook_url: String,
    subscription: i64,
    profile: i64,
    member: i64,
    invitation: i64,
    setting: i64,
    widget: String,
    child_slug: String,
    child_key: String,
    /// A credential token for the child's credential.
    child_credential_token: String,
    /// The hook receiver's base URL and how many calls its `/intruder` path had.
    receiver: String,
    intruder_calls: Arc<AtomicUsize>,
    /// Secrets and names that are markers.
    markers: Vec<String>,
}

/// A hook receiver: every path answers 204; the calls to `/intruder` are counted.
async fn hook_receiver() -> (String, Arc<AtomicUsize>) {
    use axum::http::{StatusCode, Uri};
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let router = axum::Router::new().fallback(move |uri: Uri| {
        let counted = counted.clone();
        async move {
            if uri.path() == "/intruder" {
                counted.fetch_add(1, Ordering::SeqCst);
            }
            StatusCode::NO_CONTENT
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}"), calls)
}

/// `data` of an idOS answer that must have succeeded.
#[track_caller]
fn idos_data(reply: crate::helpers::Reply) -> serde_json::Value {
    assert!(reply.status.is_success(), "{:?}", reply.body);
    reply.body["data"].clone()
}

async fn idos_victim(
    app: &TestApp,
    boot: &orghub::service::Bootstrap,
    child_org: &str,
) -> IdosVictim {
    let owner = orghub::domain::PublicId::parse(&boot.user_id).unwrap();
    let keys = app.services.create_identity(&owner).await.unwrap();
    let auth = format!(
        "IdentityToken {}",
        jwt(&keys.private_key, &json!({ "iss": keys.public_key }))
    );
    let auth = auth.as_str();
    let slug = boot.company_slug.clone();
    let company = format!("/companies/{slug}");
    let post = |path: String, body: serde_json::Value| async move {
        idos_data(idos(app, "POST", &path, Some(auth), Some(body)).await)
    };
    let credential = post(
        format!("{company}/credentials"),
        json!({ "name": "VICTIM credential", "production": true }),
    )
    .await;
    let pub_key = credential["public"].as_str().unwrap().to_owned();
    let private_key = credential["private"].as_str().unwrap().to_owned();
    let handler = post(
        format!("{company}/handlers"),
        json!({ "name": "VICTIM handler", "authUsername": "victim-handler-user",
            "authPassword": "victim-handler-password" }),
    )
    .await;
    let (receiver, intruder_calls) = hook_receiver().await;
    let hook_url = format!("{receiver}/victim-hook");
    let hook = post(
        format!("{company}/credentials/{pub_key}/hooks"),
        json!({ "trigger": "user.created", "url": hook_url, "subscribed": true }),
    )
    .await;
    let subscription = post(
        format!("{company}/credentials/{pub_key}/subscriptions"),
        json!({ "categorySlug": "VICTIM.category" }),
    )
    .await;
    let member = idos_data(idos(app, "GET", &format!("{company}/members"), Some(auth), None).await)
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "user@victim.test")
        .expect("the victim's user is a member")["id"]
        .as_i64()
        .unwrap();
    let invitation = post(
        format!("{company}/invitations"),
        json!({ "role": "company.reviewer", "email": "invited@victim.test",
            "name": "VICTIM invitee", "credentialPubKey": pub_key }),
    )
    .await;
    let setting = post(
        format!("{company}/settings"),
        json!({ "section": "VICTIM.section", "property": "victimProperty",
            "value": "victim-setting-value", "protected": true }),
    )
    .await;
    let widget = post(
        format!("{company}/widgets"),
        json!({ "label": "VICTIM widget", "type": "embedded-widget",
            "config": { "theme": "VICTIM theme" }, "credentialPubKey": pub_key }),
    )
    .await;
    let audiences = ["https://api.idos.io/1.0".to_owned()];
    let profile = app
        .services
        .authenticate_idos(
            orghub::service::idos::IdosTokenKind::User,
            &jwt(
                &private_key,
                &json!({ "iss": pub_key, "sub": "VICTIM_end_user" }),
            ),
            &orghub::service::idos::TokenCheck {
                audiences: &audiences,
            },
            None,
        )
        .await
        .unwrap()
        .user
        .unwrap()
        .id;

    // The child company's credential and handler, for the child's credential-token caller.
    let child_slug = idos_data(idos(app, "GET", "/companies", Some(auth), None).await)
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["public_key"] == child_org.replace('-', "").as_str())
        .expect("the child company")["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let child_key = post(
        format!("/companies/{child_slug}/credentials"),
        json!({ "name": "Child key" }),
    )
    .await["public"]
        .as_str()
        .unwrap()
        .to_owned();
    let child_handler = post(
        format!("/companies/{child_slug}/handlers"),
        json!({ "name": "Child handler", "authUsername": "child", "authPassword": "child" }),
    )
    .await;
    let child_credential_token = jwt(
        child_handler["private"].as_str().unwrap(),
        &json!({ "iss": child_handler["public"], "sub": child_key }),
    );

    let markers = vec![
        slug.clone(),
        boot.organization_id.replace('-', ""),
        keys.public_key.clone(),
        pub_key.clone(),
        private_key,
        handler["public"].as_str().unwrap().to_owned(),
        handler["private"].as_str().unwrap().to_owned(),
        "victim-handler-user".into(),
        hook_url.clone(),
        hook["secret"].as_str().unwrap().to_owned(),
        "victim-setting-value".into(),
        "victimProperty".into(),
        widget["hash"].as_str().unwrap().to_owned(),
    ];
    IdosVictim {
        slug,
        company_public_key: boot.organization_id.replace('-', ""),
        auth: auth.to_owned(),
        pub_key,
        handler: handler["id"].as_i64().unwrap(),
        handler_key: handler["public"].as_str().unwrap().to_owned(),
        identity_key: keys.public_key.clone(),
        hook: hook["id"].as_i64().unwrap(),
        hook_url,
        subscription: subscription["id"].as_i64().unwrap(),
        profile,
        member,
        invitation: invitation["id"].as_i64().unwrap(),
        setting: setting["id"].as_i64().unwrap(),
        widget: widget["hash"].as_str().unwrap().to_owned(),
        child_slug,
        child_key,
        child_credential_token,
        receiver,
        intruder_calls,
        markers,
    }
}

async fn victim(app: &TestApp) -> Victim {
    let boot = app.bootstrap("VICTIM root", "owner@victim.test").await;
    let token = app.owner_token(&boot).await;
    let (surfsight, _) = app
        .surfsight_sign_in("owner@victim.test", OWNER_PASSWORD)
        .await;
    let (child_int, child_sso_secret) = app
        .surfsight_create_org(&surfsight, "Child of the tree")
        .await;
    let orgs = app
        .get("/xponent/org", &token)
        .await
        .xponent_items("organizations");
    let child = orgs
        .iter()
        .find(|org| org["name"] == "Child of the tree")
        .and_then(|org| org["id"].as_str())
        .unwrap()
        .to_owned();
    let first_id = |reply: crate::helpers::Reply, key: &str| {
        reply.xponent_items(key)[0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let user = first_id(
        app.post(
            &format!("/xponent/user/org/{}", boot.organization_id),
            &token,
            &json!([{ "name": "VICTIM user", "email": "user@victim.test" }]),
        )
        .await,
        "users",
    );
    let project = first_id(
        app.post(
            &format!("/xponent/project/org/{}", boot.organization_id),
            &token,
            &json!({ "name": "VICTIM project", "description": "VICTIM plans" }),
        )
        .await,
        "projects",
    );
    let account = app
        .conformity_add_account(&boot.api_key, "VICTIM account")
        .await;
    let account = account["id"].as_str().unwrap().to_owned();
    let external_id = app
        .conformity("GET", "/organisation/external-id", &boot.api_key, None)
        .await
        .conformity_data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let azure = azure_account(app, &boot.api_key).await;
    let gcp = gcp_organisation(app, &boot.api_key).await;
    app.conformity(
        "PATCH",
        &format!("/accounts/{account}/settings/bot"),
        &boot.api_key,
        Some(&json!({ "data": { "attributes": { "settings": { "bot": { "delay": 2 } } } } })),
    )
    .await
    .conformity_data();
    app.conformity(
        "PATCH",
        &format!("/accounts/{account}/settings/rules/{RULE}"),
        &boot.api_key,
        Some(
            &json!({ "data": { "attributes": { "note": "VICTIM note", "ruleSetting": {
            "id": RULE, "enabled": true, "riskLevel": "HIGH" } } } }),
        ),
    )
    .await
    .conformity_data();
    let group = app
        .conformity(
            "POST",
            "/groups",
            &boot.api_key,
            Some(&json!({ "data": { "attributes": { "name": "VICTIM group", "tags": ["pci"] } } })),
        )
        .await
        .conformity_data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let idos = idos_victim(app, &boot, &child).await;
    let mut markers = vec![
        boot.organization_id.clone(),
        boot.user_id.clone(),
        user.clone(),
        project.clone(),
        account.clone(),
        external_id.clone(),
        azure.clone(),
        gcp.clone(),
        group.clone(),
        AZURE_APPLICATION_KEY.into(),
        "TUlJRXZ3".into(),
        "VICTIM".into(),
        "victim.test".into(),
        "223334445555".into(),
    ];
    markers.extend(idos.markers.iter().cloned());
    let hook = app
        .services
        .create_hook(&orghub::service::HookRequest {
            org: orghub::domain::PublicId::parse(&boot.organization_id).unwrap(),
            url: "https://hooks.victim.test/VICTIM-hook".into(),
            types: Vec::new(),
            include_descendants: false,
            max_in_flight: None,
        })
        .await
        .unwrap()
        .hook
        .id;
    let key = app
        .services
        .create_api_key(&orghub::domain::PublicId::parse(&user).unwrap())
        .await
        .unwrap();
    markers.push(key.key);
    let api_key = key.record.public_id;
    markers.push(api_key.clone());
    Victim {
        org: boot.organization_id,
        owner: boot.user_id,
        user,
        project,
        account,
        external_id,
        gcp_organisation: gcp,
        group,
        child,
        child_int,
        child_sso_secret,
        token,
        idos,
        hook,
        api_key,
        markers,
    }
}

/// A caller and how it authenticates on each face.
struct Caller {
    who: &'static str,
    /// Xponent and Surfsight: a bearer token.
    token: String,
    /// Conformity: `ApiKey …` or `Bearer …`.
    conformity: String,
    /// idOS: `IdentityToken …` or `CredentialToken …`.
    idos: String,
    /// idOS: the caller's own company and a credential of it.
    own_slug: String,
    own_key: String,
}

/// An identity token for `user`.
async fn identity_auth(app: &TestApp, user: &str) -> String {
    let user = orghub::domain::PublicId::parse(user).unwrap();
    let keys = app.services.create_identity(&user).await.unwrap();
    format!(
        "IdentityToken {}",
        jwt(&keys.private_key, &json!({ "iss": keys.public_key }))
    )
}

async fn callers(app: &TestApp, victim: &Victim) -> Vec<Caller> {
    let other = app.bootstrap("Other root", "owner@other.test").await;
    let other_token = app.owner_token(&other).await;
    let other_idos = identity_auth(app, &other.user_id).await;
    let other_key = idos(
        app,
        "POST",
        &format!("/companies/{}/credentials", other.company_slug),
        Some(&other_idos),
        Some(json!({ "name": "Other key" })),
    )
    .await
    .body["data"]["public"]
        .as_str()
        .unwrap()
        .to_owned();

    let member = app
        .post(
            &format!("/xponent/user/org/{}", victim.child),
            &victim.token,
            &json!([{ "name": "Mia", "email": "mia@child.test", "password": OWNER_PASSWORD }]),
        )
        .await
        .xponent_items("users")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (member_token, _) = app
        .surfsight_sign_in("mia@child.test", OWNER_PASSWORD)
        .await;
    let member_key = app
        .services
        .create_api_key(&orghub::domain::PublicId::parse(&member).unwrap())
        .await
        .unwrap()
        .key;
    let member_idos = identity_auth(app, &member).await;

    let jwt = sso_jwt(
        &victim.child_sso_secret,
        &json!({ "organizationId": victim.child_int, "timestamp": sso_timestamp(0) }),
        Algorithm::HS256,
    );
    let admin = app
        .get("/surfsight/v2/organizations/sso", &format!("Bearer {jwt}"))
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    vec![
        Caller {
            who: "another root's owner",
            token: other_token,
            conformity: format!("ApiKey {}", other.api_key),
            idos: other_idos,
            own_slug: other.company_slug.clone(),
            own_key: other_key,
        },
        Caller {
            who: "a Member of a child organization",
            token: member_token,
            conformity: format!("ApiKey {member_key}"),
            idos: member_idos,
            own_slug: victim.idos.child_slug.clone(),
            own_key: victim.idos.child_key.clone(),
        },
        Caller {
            who: "an admin token of a child organization",
            conformity: format!("Bearer {}", admin),
            token: admin,
            // On idOS, the child company's own credential (read-only on its company).
            idos: format!("CredentialToken {}", victim.idos.child_credential_token),
            own_slug: victim.idos.child_slug.clone(),
            own_key: victim.idos.child_key.clone(),
        },
    ]
}

/// The rule the victim has a setting for.
const RULE: &str = "S3-021";

fn fill(template: &str, victim: &Victim, caller: &Caller, parent: Parent) -> String {
    let v = &victim.idos;
    let (slug, key) = match parent {
        Parent::Victim => (&v.slug, &v.pub_key),
        Parent::Own => (&caller.own_slug, &caller.own_key),
        Parent::OwnCompany => (&caller.own_slug, &v.pub_key),
    };
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(3))
        .date()
        .to_string();
    template
        .replace("{companySlug}", slug)
        .replace("{pubKey}", key)
        .replace("{company_public_key}", &v.company_public_key)
        .replace("{handlerId}", &v.handler.to_string())
        .replace("{hookId}", &v.hook.to_string())
        .replace("{invitationId}", &v.invitation.to_string())
        .replace("{memberId}", &v.member.to_string())
        .replace("{userId}", &v.profile.to_string())
        .replace("{settingId}", &v.setting.to_string())
        .replace("{subscriptionId}", &v.subscription.to_string())
        .replace("{widgetHash}", &v.widget)
        .replace("{intruder_url}", &format!("{}/intruder", v.receiver))
        .replace("{expires}", &expires)
        .replace("{group_id}", &victim.group)
        .replace("{organisation_id}", &victim.gcp_organisation)
        .replace("{directory_id}", AZURE_DIRECTORY)
        .replace("{rule_id}", RULE)
        .replace("{azure_subscription}", AZURE_SUBSCRIPTION)
        .replace("{azure_application}", AZURE_APPLICATION)
        .replace("{gcp_unique_id}", GCP_UNIQUE_ID)
        .replace("{gcp_key}", &gcp_key().to_string())
        .replace("{hook_id}", &victim.hook)
        .replace("{credential_key}", &v.pub_key)
        .replace("{handler_key}", &v.handler_key)
        .replace("{identity_key}", &v.identity_key)
        .replace("{key_id}", &victim.api_key)
        .replace("{org_id}", &victim.org)
        .replace("{user_id}", &victim.user)
        .replace("{project_id}", &victim.project)
        .replace("{connection_id}", &victim.org)
        .replace("{account_id}", &victim.account)
        .replace("{owner_id}", &victim.owner)
        .replace("{external_id}", &victim.external_id)
        .replace("{token}", &caller.token)
        .replace("{victim_token}", &victim.token)
        .replace("ROLE_ARN", "arn:aws:iam::111122223333:role/Intruder")
}

/// Sends `route` as `caller`; returns the status and the body as text.
async fn send(
    app: &TestApp,
    route: &Route,
    victim: &Victim,
    caller: &Caller,
) -> (u16, String, String) {
    let path = format!(
        "{}{}",
        route.face.base(),
        fill(route.path, victim, caller, route.parent)
    );
    let body = route.body.map(|b| fill(b, victim, caller, route.parent));
    let auth = match (route.own_auth, route.face) {
        (Some(OwnAuth::None), _) => None,
        (Some(OwnAuth::ForeignJwt), _) => {
            let jwt = sso_jwt(
                "not the organization's secret",
                &json!({ "organizationId": victim.child_int, "timestamp": sso_timestamp(0) }),
                Algorithm::HS256,
            );
            Some(format!("Bearer {jwt}"))
        }
        (None, Face::Xponent) => Some(caller.token.clone()),
        (None, Face::Surfsight) => Some(format!("Bearer {}", caller.token)),
        (None, Face::Conformity) => Some(caller.conformity.clone()),
        (None, Face::Idos) => Some(caller.idos.clone()),
        (None, Face::Native) => Some(format!("Bearer {}", caller.token)),
    };
    let mut headers = Vec::new();
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth.as_str()));
    }
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    let url = app.url(&path);
    let method = reqwest::Method::from_bytes(route.method.as_bytes()).unwrap();
    let mut request = app.client.request(method, url);
    for (name, value) in &headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = &body {
        request = request.body(body.clone());
    }
    let response = request.send().await.expect("the server answers");
    let mut status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    // idOS answers a token of a kind the route does not take with its 400
    // `AUTHORIZATION_MISSING`: the face's 401.
    if route.face == Face::Idos && status == 400 && text.contains("\"AUTHORIZATION_MISSING\"") {
        status = 401;
    }
    let sent = format!("{path} {}", body.unwrap_or_default());
    (status, text, sent)
}

#[tokio::test]
async fn no_route_of_any_face_lets_another_tenant_in() {
    // Hooks may reach loopback: the victim's hook receiver.
    let app = TestApp::spawn_with_hooks(HookSettings {
        allow_private: true,
        ..HookSettings::default()
    })
    .await;
    let victim = victim(&app).await;
    let callers = callers(&app, &victim).await;
    let table = table();

    // Every route of every router is in the table: a new route must join it.
    let routed: BTreeSet<(&str, &str)> = [
        (Face::Xponent, orghub::http::faces::xponent::paths()),
        (Face::Surfsight, orghub::http::faces::surfsight::paths()),
        (Face::Conformity, orghub::http::faces::conformity::paths()),
        (Face::Idos, orghub::http::faces::idos::paths()),
        (Face::Native, native_paths()),
    ]
    .into_iter()
    .flat_map(|(face, paths)| paths.into_iter().map(move |path| (face.base(), path)))
    .collect();
    let listed: BTreeSet<(&str, &str, &str)> = table
        .iter()
        .map(|r| (r.face.base(), r.method, r.path))
        .collect();
    let mut missing = Vec::new();
    for &(base, path) in &routed {
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            if listed.contains(&(base, method, path)) {
                continue;
            }
            // Not in the table: it must not be a route (the face's 405).
            let face = Face::ALL.into_iter().find(|f| f.base() == base).unwrap();
            let probe = Route {
                face,
                method,
                path,
                body: Some("{}"),
                allowed: &[],
                own_auth: None,
                parent: Parent::Victim,
                public: &[],
            };
            let (status, _, _) = send(&app, &probe, &victim, &callers[0]).await;
            if status != 405 {
                missing.push(format!("{method} {base}{path} (answered {status})"));
            }
        }
    }
    for route in &table {
        assert!(
            routed.contains(&(route.face.base(), route.path)),
            "{} {}{} is in the table but no router has it",
            route.method,
            route.face.base(),
            route.path
        );
    }
    assert!(
        missing.is_empty(),
        "routes missing from the isolation table: {missing:#?}"
    );

    let mut failures = Vec::new();
    for caller in &callers {
        for route in &table {
            let (status, body, sent) = send(&app, route, &victim, caller).await;
            let public: Vec<String> = route
                .public
                .iter()
                .map(|m| fill(m, &victim, caller, route.parent))
                .collect();
            let leaked: Vec<&String> = victim
                .markers
                .iter()
                .filter(|m| body.contains(m.as_str()) && !sent.contains(m.as_str()))
                .filter(|m| !public.iter().any(|p| p == *m))
                .collect();
            if !route.allowed.contains(&status) || !leaked.is_empty() {
                failures.push(format!(
                    "{}: {} {}{} answered {status} {body} (leaked: {leaked:?})",
                    caller.who,
                    route.method,
                    route.face.base(),
                    route.path
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");

    // And nothing of the victim's changed.
    let orgs = app
        .get("/xponent/org", &victim.token)
        .await
        .xponent_items("organizations");
    assert_eq!(orgs.len(), 2);
    assert_eq!(orgs[0]["name"], "VICTIM root");
    let users = app
        .get("/xponent/user", &victim.token)
        .await
        .xponent_items("users");
    assert_eq!(
        users.len(),
        4,
        "the owner, the user, the child's Member and the idOS invitation's member"
    );
    assert!(
        users
            .iter()
            .any(|u| u["id"] == victim.user.as_str() && u["role"] == "Member")
    );
    idos_unchanged(&app, &victim).await;
    app.stop().await;
}

/// The victim's idOS records are all there, as they were; no intruder's hook URL was called.
async fn idos_unchanged(app: &TestApp, victim: &Victim) {
    let v = &victim.idos;
    let auth = Some(v.auth.as_str());
    let get = |path: String| async move {
        idos_data(
            idos(
                app,
                "GET",
                &format!("/companies/{}{path}", v.slug),
                auth,
                None,
            )
            .await,
        )
    };
    let company = get(String::new()).await;
    assert_eq!(company["name"], "VICTIM root");
    let credentials = get("/credentials".into()).await;
    assert_eq!(credentials.as_array().unwrap().len(), 1);
    assert_eq!(credentials[0]["name"], "VICTIM credential");
    let handler = get(format!("/handlers/{}", v.handler)).await;
    assert_eq!(handler["name"], "VICTIM handler");
    assert_eq!(handler["enabled"], true);
    let hooks = get(format!("/credentials/{}/hooks", v.pub_key)).await;
    assert_eq!(hooks.as_array().unwrap().len(), 1);
    assert_eq!(hooks[0]["url"], v.hook_url.as_str());
    assert_eq!(hooks[0]["subscribed"], true);
    let subscriptions = get(format!("/credentials/{}/subscriptions", v.pub_key)).await;
    assert_eq!(subscriptions.as_array().unwrap().len(), 1);
    let members = get("/members".into()).await;
    assert_eq!(members.as_array().unwrap().len(), 3, "{members}");
    let member = get(format!("/members/{}", v.member)).await;
    assert_eq!(member["role"], "company.reviewer");
    let invitations = get("/invitations".into()).await;
    assert_eq!(invitations.as_array().unwrap().len(), 1);
    let setting = get(format!("/settings/{}", v.setting)).await;
    assert_eq!(setting["value"], "victim-setting-value");
    assert_eq!(setting["protected"], true);
    assert_eq!(get("/settings".into()).await.as_array().unwrap().len(), 1);
    let widgets = get("/widgets".into()).await;
    assert_eq!(widgets.as_array().unwrap().len(), 1);
    assert_eq!(widgets[0]["label"], "VICTIM widget");
    assert_eq!(widgets[0]["enabled"], true);
    get(format!("/profiles/{}", v.profile)).await;
    assert_eq!(
        v.intruder_calls.load(Ordering::SeqCst),
        0,
        "no hook handshake for an intruder"
    );
}
