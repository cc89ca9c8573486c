//! Typed template connections of the Xponent Hub Provisioning API.
//!
//! A template declares connections of a given [`ConnectionType`]; a client fills
//! them in through `PUT /project/{project_id}` by sending a `details` object per
//! connection. Each type has a connector model in the API document (its "Models"
//! section); [`validate_details`] checks a `details` object against that model
//! so a bad connection lands in the response's `failure` list with a message the
//! client can act on.
//!
//! The models are described as small tables of [`Field`]s instead of one
//! hand-written function per connector, so the order in which problems are
//! reported is simply the order of the model in the document.

use std::fmt;

use serde_json::{Map, Value};

/// The kinds of connection a template (and so a project) can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionType {
    Queue,
    Database,
    SoapWebService,
    WebService,
    Twitter,
    Lift,
    Email,
}

impl ConnectionType {
    /// Every connection type, in the order of the `Template_Connections` enum.
    pub const ALL: [ConnectionType; 7] = [
        ConnectionType::Queue,
        ConnectionType::Database,
        ConnectionType::SoapWebService,
        ConnectionType::WebService,
        ConnectionType::Twitter,
        ConnectionType::Lift,
        ConnectionType::Email,
    ];

    /// Parses the wire name of a connection type; the match is exact
    /// (case-sensitive), as the API's enum is.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The wire name, as used in the `type` field of templates and details.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionType::Queue => "queue",
            ConnectionType::Database => "database",
            ConnectionType::SoapWebService => "soapWebService",
            ConnectionType::WebService => "webService",
            ConnectionType::Twitter => "twitter",
            ConnectionType::Lift => "lift",
            ConnectionType::Email => "email",
        }
    }
}

impl fmt::Display for ConnectionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Fields whose values are credentials: sealed at rest and never echoed back.
const SECRET_FIELDS: [&str; 9] = [
    "password",
    "ckey",
    "csecret",
    "atoken",
    "asecret",
    "awsSecretAccessKey",
    "awsAccessKeyId",
    "secretAccessKey",
    "accessKeyId",
];

/// Names of the fields of `details` that are secrets (to be sealed at rest,
/// never echoed back).
pub fn is_secret_field(name: &str) -> bool {
    SECRET_FIELDS.contains(&name)
}

/// What a field's value must look like.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A non-empty string (the API's convention, also for optional strings).
    Str,
    /// A TCP port: a JSON integer in 1..=65535.
    Port,
    Bool,
    Object,
    /// A string taken from a fixed list.
    OneOf(&'static [&'static str]),
}

impl Kind {
    fn accepts(self, value: &Value) -> bool {
        match self {
            Kind::Str => value.as_str().is_some_and(|s| !s.is_empty()),
            // `as_u64` is `None` for floats (even `5432.0`), negatives and non-numbers.
            Kind::Port => value.as_u64().is_some_and(|p| (1..=65535).contains(&p)),
            Kind::Bool => value.is_boolean(),
            Kind::Object => value.is_object(),
            Kind::OneOf(allowed) => value.as_str().is_some_and(|s| allowed.contains(&s)),
        }
    }

    /// The sentence telling the client what `name` must be. It describes the
    /// expected shape only, never the value received, so secrets cannot leak.
    fn requirement(self, name: &str) -> String {
        let must = match self {
            Kind::Str => "must be a non-empty string".to_owned(),
            Kind::Port => "must be an integer between 1 and 65535".to_owned(),
            Kind::Bool => "must be a boolean".to_owned(),
            Kind::Object => "must be an object".to_owned(),
            Kind::OneOf(allowed) => format!("must be one of: {}", allowed.join(", ")),
        };
        format!("The field '{name}' {must}")
    }
}

/// One field of a connector model.
#[derive(Debug, Clone, Copy)]
struct Field {
    name: &'static str,
    kind: Kind,
    required: bool,
}

const fn req(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}

/// An optional field; fields with a documented default (`databaseType`,
/// `ssl`, `emailType`) are optional because absence means the default.
const fn opt(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

const DATABASE_TYPES: &[&str] = &["postgresql", "mysql", "mssql", "oracle"];
const QUEUE_TYPES: &[&str] = &["rabbitmq", "activemq", "sqs"];
const EMAIL_TYPES: &[&str] = &["smtp"];

const DB_CONNECTOR: &[Field] = &[
    opt("databaseType", Kind::OneOf(DATABASE_TYPES)),
    req("username", Kind::Str),
    req("password", Kind::Str),
    req("hostname", Kind::Str),
    req("port", Kind::Port),
    req("database", Kind::Str),
];

const TWITTER_CONNECTOR: &[Field] = &[
    req("ckey", Kind::Str),
    req("csecret", Kind::Str),
    req("atoken", Kind::Str),
    req("asecret", Kind::Str),
];

// The queue models start with `queueType`, which has already been checked
// when the model was chosen (see `model_for`), so it is left out here.

/// Rabbit_Queue_Connector and Active_Queue_Connector have the same fields.
const BROKER_QUEUE_CONNECTOR: &[Field] = &[
    req("readQueue", Kind::Str),
    req("writeQueue", Kind::Str),
    req("username", Kind::Str),
    req("password", Kind::Str),
    req("host", Kind::Str),
    opt("ssl", Kind::Bool),
];

const SQS_QUEUE_CONNECTOR: &[Field] = &[
    req("readQueue", Kind::Str),
    opt("writeQueue", Kind::Str),
    opt("awsAccessKeyId", Kind::Str),
    req("awsSecretAccessKey", Kind::Str),
    req("awsRegion", Kind::Str),
];

const SOAP_WEB_SERVICE_CONNECTOR: &[Field] =
    &[req("wsdlUrl", Kind::Str), opt("headerParams", Kind::Object)];

const WEB_SERVICE_CONNECTOR: &[Field] = &[
    req("endpoint", Kind::Str),
    opt("queryParams", Kind::Object),
    opt("headerParams", Kind::Object),
];

const EMAIL_CONNECTOR: &[Field] = &[
    opt("emailType", Kind::OneOf(EMAIL_TYPES)),
    req("username", Kind::Str),
    req("password", Kind::Str),
    req("host", Kind::Str),
    req("port", Kind::Port),
];

const LIFT_CONNECTOR: &[Field] = &[
    opt("liftEndpoint", Kind::Str),
    opt("accountId", Kind::Str),
    opt("accessKeyId", Kind::Str),
    req("secretAccessKey", Kind::Str),
];

/// A field's value, treating an explicit `null` as absent.
fn present<'a>(details: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    details.get(name).filter(|v| !v.is_null())
}

fn missing_message(expected: ConnectionType, names: &[&str]) -> String {
    format!(
        "The following fields are required for a {expected} connection: {}",
        names.join(", ")
    )
}

/// The connector model that applies; for queues `queueType` selects it.
fn model_for(
    expected: ConnectionType,
    details: &Map<String, Value>,
) -> Result<&'static [Field], String> {
    Ok(match expected {
        ConnectionType::Database => DB_CONNECTOR,
        ConnectionType::Twitter => TWITTER_CONNECTOR,
        ConnectionType::SoapWebService => SOAP_WEB_SERVICE_CONNECTOR,
        ConnectionType::WebService => WEB_SERVICE_CONNECTOR,
        ConnectionType::Email => EMAIL_CONNECTOR,
        ConnectionType::Lift => LIFT_CONNECTOR,
        ConnectionType::Queue => match present(details, "queueType").map(Value::as_str) {
            None => return Err(missing_message(expected, &["queueType"])),
            Some(Some("rabbitmq" | "activemq")) => BROKER_QUEUE_CONNECTOR,
            Some(Some("sqs")) => SQS_QUEUE_CONNECTOR,
            Some(_) => return Err(Kind::OneOf(QUEUE_TYPES).requirement("queueType")),
        },
    })
}

/// Checks `details` (the JSON object a client sends for one connection in
/// PUT /project/{id}) against the connector model for a connection of type
/// `expected`.
///
/// `details["type"]` has already been checked by the caller to be a non-empty
/// string. Returns the first problem as one sentence: a type mismatch, then
/// all missing required fields (in model order), then the first field (in
/// model order) whose value has the wrong shape. Messages name fields but
/// never quote their values (only the non-secret `type`), so no secret can
/// leak. Unknown extra fields are ignored; `null` counts as absent.
pub fn validate_details(
    expected: ConnectionType,
    details: &Map<String, Value>,
) -> Result<(), String> {
    let given = details
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if given != expected.as_str() {
        return Err(format!(
            "Connection type '{given}' does not match the template connection type '{expected}'"
        ));
    }

    let model = model_for(expected, details)?;

    let missing: Vec<&str> = model
        .iter()
        .filter(|f| f.required && present(details, f.name).is_none())
        .map(|f| f.name)
        .collect();
    if !missing.is_empty() {
        return Err(missing_message(expected, &missing));
    }

    for field in model {
        if let Some(value) = present(details, field.name)
            && !field.kind.accepts(value)
        {
            return Err(field.kind.requirement(field.name));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Distinctive secret values, so a leak into a message is easy to detect.
    const PW: &str = "pw-S3cr3t-value";
    const CKEY: &str = "ckey-S3cr3t-value";
    const CSECRET: &str = "csecret-S3cr3t-value";
    const ATOKEN: &str = "atoken-S3cr3t-value";
    const ASECRET: &str = "asecret-S3cr3t-value";
    const AWS_ID: &str = "awsid-S3cr3t-value";
    const AWS_KEY: &str = "awskey-S3cr3t-value";
    const LIFT_ID: &str = "liftid-S3cr3t-value";
    const LIFT_KEY: &str = "liftkey-S3cr3t-value";
    const ALL_SECRETS: [&str; 9] = [
        PW, CKEY, CSECRET, ATOKEN, ASECRET, AWS_ID, AWS_KEY, LIFT_ID, LIFT_KEY,
    ];

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            other => panic!("not an object: {other}"),
        }
    }

    /// A minimal valid `details` object for each type (rabbitmq for queue).
    fn minimal(t: ConnectionType) -> Map<String, Value> {
        obj(match t {
            ConnectionType::Database => json!({
                "type": "database", "username": "app", "password": PW,
                "hostname": "db.example", "port": 5432, "database": "orders"
            }),
            ConnectionType::Twitter => json!({
                "type": "twitter", "ckey": CKEY, "csecret": CSECRET,
                "atoken": ATOKEN, "asecret": ASECRET
            }),
            ConnectionType::Queue => json!({
                "type": "queue", "queueType": "rabbitmq", "readQueue": "in",
                "writeQueue": "out", "username": "mq", "password": PW, "host": "mq.example"
            }),
            ConnectionType::SoapWebService => json!({
                "type": "soapWebService", "wsdlUrl": "https://ws.example/svc?wsdl"
            }),
            ConnectionType::WebService => json!({
                "type": "webService", "endpoint": "https://api.example/v1"
            }),
            ConnectionType::Email => json!({
                "type": "email", "username": "mailer", "password": PW,
                "host": "smtp.example", "port": 587
            }),
            ConnectionType::Lift => json!({ "type": "lift", "secretAccessKey": LIFT_KEY }),
        })
    }

    fn sqs() -> Map<String, Value> {
        obj(json!({
            "type": "queue", "queueType": "sqs", "readQueue": "in",
            "awsSecretAccessKey": AWS_KEY, "awsRegion": "eu-west-1"
        }))
    }

    fn with(mut d: Map<String, Value>, name: &str, v: Value) -> Map<String, Value> {
        d.insert(name.to_owned(), v);
        d
    }

    fn without(mut d: Map<String, Value>, name: &str) -> Map<String, Value> {
        d.remove(name);
        d
    }

    fn err(t: ConnectionType, d: &Map<String, Value>) -> String {
        let e = validate_details(t, d).expect_err("expected a validation error");
        for secret in ALL_SECRETS {
            assert!(!e.contains(secret), "message leaks a secret: {e}");
        }
        e
    }

    #[test]
    fn parse_and_as_str_round_trip() {
        for t in ConnectionType::ALL {
            assert_eq!(ConnectionType::parse(t.as_str()), Some(t));
            assert_eq!(t.to_string(), t.as_str());
        }
        assert_eq!(
            ConnectionType::parse("soapWebService"),
            Some(ConnectionType::SoapWebService)
        );
        assert_eq!(ConnectionType::parse("Database"), None);
        assert_eq!(ConnectionType::parse("soapwebservice"), None);
        assert_eq!(ConnectionType::parse(""), None);
    }

    #[test]
    fn minimal_examples_pass() {
        for t in ConnectionType::ALL {
            assert_eq!(validate_details(t, &minimal(t)), Ok(()), "{t}");
        }
        let q = ConnectionType::Queue;
        let active = with(minimal(q), "queueType", json!("activemq"));
        assert_eq!(validate_details(q, &active), Ok(()));
        assert_eq!(validate_details(q, &sqs()), Ok(()));
    }

    #[test]
    fn full_examples_with_optional_fields_and_extras_pass() {
        let db = ConnectionType::Database;
        for kind in DATABASE_TYPES {
            let d = with(minimal(db), "databaseType", json!(kind));
            assert_eq!(validate_details(db, &d), Ok(()));
        }
        let q = ConnectionType::Queue;
        assert_eq!(
            validate_details(q, &with(minimal(q), "ssl", json!(true))),
            Ok(())
        );
        let d = with(
            with(sqs(), "writeQueue", json!("out")),
            "awsAccessKeyId",
            json!(AWS_ID),
        );
        assert_eq!(validate_details(q, &d), Ok(()));
        let ws = ConnectionType::WebService;
        let d = with(minimal(ws), "queryParams", json!({ "a": "1" }));
        let d = with(d, "headerParams", json!({ "X-Key": "v" }));
        assert_eq!(validate_details(ws, &d), Ok(()));
        let soap = ConnectionType::SoapWebService;
        let d = with(minimal(soap), "headerParams", json!({}));
        assert_eq!(validate_details(soap, &d), Ok(()));
        let email = ConnectionType::Email;
        let d = with(minimal(email), "emailType", json!("smtp"));
        assert_eq!(validate_details(email, &d), Ok(()));
        let lift = ConnectionType::Lift;
        let d = with(minimal(lift), "liftEndpoint", json!("https://lift.example"));
        let d = with(
            with(d, "accountId", json!("acct")),
            "accessKeyId",
            json!(LIFT_ID),
        );
        assert_eq!(validate_details(lift, &d), Ok(()));
        // Unknown fields and explicit nulls for optional fields are fine.
        let d = with(minimal(db), "somethingElse", json!([1, 2]));
        assert_eq!(
            validate_details(db, &with(d, "databaseType", Value::Null)),
            Ok(())
        );
    }

    #[test]
    fn missing_required_field_for_every_type() {
        let cases = [
            (
                ConnectionType::Database,
                "username",
                minimal(ConnectionType::Database),
            ),
            (
                ConnectionType::Twitter,
                "asecret",
                minimal(ConnectionType::Twitter),
            ),
            (
                ConnectionType::Queue,
                "host",
                minimal(ConnectionType::Queue),
            ),
            (ConnectionType::Queue, "awsRegion", sqs()),
            (
                ConnectionType::Queue,
                "queueType",
                minimal(ConnectionType::Queue),
            ),
            (
                ConnectionType::SoapWebService,
                "wsdlUrl",
                minimal(ConnectionType::SoapWebService),
            ),
            (
                ConnectionType::WebService,
                "endpoint",
                minimal(ConnectionType::WebService),
            ),
            (
                ConnectionType::Email,
                "port",
                minimal(ConnectionType::Email),
            ),
            (
                ConnectionType::Lift,
                "secretAccessKey",
                minimal(ConnectionType::Lift),
            ),
        ];
        for (t, name, d) in cases {
            assert_eq!(
                err(t, &without(d, name)),
                format!("The following fields are required for a {t} connection: {name}")
            );
        }
    }

    #[test]
    fn all_missing_fields_listed_in_model_order() {
        let db = ConnectionType::Database;
        let d = obj(json!({ "type": "database", "port": "not checked yet" }));
        assert_eq!(
            err(db, &d),
            "The following fields are required for a database connection: \
             username, password, hostname, database"
        );
        let d = with(minimal(db), "password", Value::Null);
        assert_eq!(
            err(db, &d),
            "The following fields are required for a database connection: password"
        );
    }

    #[test]
    fn wrong_types_are_rejected() {
        let db = ConnectionType::Database;
        let port_msg = "The field 'port' must be an integer between 1 and 65535";
        for bad in [
            json!("5432"),
            json!(0),
            json!(70000),
            json!(-1),
            json!(5432.5),
            json!(5432.0),
            json!(true),
        ] {
            assert_eq!(err(db, &with(minimal(db), "port", bad)), port_msg);
        }
        let email = ConnectionType::Email;
        assert_eq!(
            err(email, &with(minimal(email), "port", json!(0))),
            port_msg
        );
        assert_eq!(
            err(db, &with(minimal(db), "username", json!(""))),
            "The field 'username' must be a non-empty string"
        );
        let q = ConnectionType::Queue;
        assert_eq!(
            err(q, &with(minimal(q), "ssl", json!("yes"))),
            "The field 'ssl' must be a boolean"
        );
        assert_eq!(
            err(q, &with(sqs(), "writeQueue", json!(7))),
            "The field 'writeQueue' must be a non-empty string"
        );
        let soap = ConnectionType::SoapWebService;
        assert_eq!(
            err(
                soap,
                &with(minimal(soap), "headerParams", json!("X-Key: v"))
            ),
            "The field 'headerParams' must be an object"
        );
        let ws = ConnectionType::WebService;
        assert_eq!(
            err(ws, &with(minimal(ws), "queryParams", json!(["a"]))),
            "The field 'queryParams' must be an object"
        );
        let lift = ConnectionType::Lift;
        assert_eq!(
            err(lift, &with(minimal(lift), "accountId", json!(42))),
            "The field 'accountId' must be a non-empty string"
        );
    }

    #[test]
    fn first_bad_field_in_model_order_is_reported() {
        let db = ConnectionType::Database;
        let d = with(
            with(minimal(db), "database", json!("")),
            "hostname",
            json!(1),
        );
        assert_eq!(
            err(db, &d),
            "The field 'hostname' must be a non-empty string"
        );
    }

    #[test]
    fn bad_enums_are_rejected() {
        let db = ConnectionType::Database;
        for bad in [json!("sqlite"), json!(""), json!("PostgreSQL"), json!(1)] {
            assert_eq!(
                err(db, &with(minimal(db), "databaseType", bad)),
                "The field 'databaseType' must be one of: postgresql, mysql, mssql, oracle"
            );
        }
        let q = ConnectionType::Queue;
        for bad in [json!("kafka"), json!(""), json!(true)] {
            assert_eq!(
                err(q, &with(minimal(q), "queueType", bad)),
                "The field 'queueType' must be one of: rabbitmq, activemq, sqs"
            );
        }
        let email = ConnectionType::Email;
        assert_eq!(
            err(email, &with(minimal(email), "emailType", json!("imap"))),
            "The field 'emailType' must be one of: smtp"
        );
    }

    #[test]
    fn type_mismatch_is_rejected() {
        let d = minimal(ConnectionType::Twitter);
        assert_eq!(
            err(ConnectionType::Database, &d),
            "Connection type 'twitter' does not match the template connection type 'database'"
        );
        // The wire names are case-sensitive.
        let d = with(
            minimal(ConnectionType::WebService),
            "type",
            json!("webservice"),
        );
        assert!(err(ConnectionType::WebService, &d).starts_with("Connection type 'webservice'"));
    }

    #[test]
    fn secret_values_never_appear_in_messages() {
        // Invalid secret values themselves are described, not quoted.
        let db = ConnectionType::Database;
        let e = err(db, &with(minimal(db), "password", json!([PW])));
        assert_eq!(e, "The field 'password' must be a non-empty string");
        let tw = ConnectionType::Twitter;
        let e = err(tw, &with(minimal(tw), "ckey", json!({ "k": CKEY })));
        assert_eq!(e, "The field 'ckey' must be a non-empty string");
        // Secrets present alongside other errors are not echoed either
        // (`err` checks every message against ALL_SECRETS).
        err(tw, &without(minimal(tw), "atoken"));
        err(
            ConnectionType::Queue,
            &with(sqs(), "awsAccessKeyId", json!(AWS_ID.len())),
        );
        err(
            ConnectionType::Lift,
            &with(minimal(ConnectionType::Lift), "type", json!("email")),
        );
    }

    #[test]
    fn secret_fields() {
        for name in SECRET_FIELDS {
            assert!(is_secret_field(name));
        }
        for name in [
            "username",
            "host",
            "hostname",
            "type",
            "awsRegion",
            "accountId",
            "Password",
        ] {
            assert!(!is_secret_field(name), "{name}");
        }
        // Every secret field belongs to some connector model.
        let models = [
            DB_CONNECTOR,
            TWITTER_CONNECTOR,
            BROKER_QUEUE_CONNECTOR,
            SQS_QUEUE_CONNECTOR,
            SOAP_WEB_SERVICE_CONNECTOR,
            WEB_SERVICE_CONNECTOR,
            EMAIL_CONNECTOR,
            LIFT_CONNECTOR,
        ];
        for name in SECRET_FIELDS {
            assert!(
                models.iter().any(|m| m.iter().any(|f| f.name == name)),
                "{name}"
            );
        }
    }
}
