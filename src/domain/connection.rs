//! Typed template connections of the Xponent Hub Provisioning API.
//!
//! A template declares connections of a given [`ConnectionType`]; a client fills
//! them in through `PUT /project/{project_id}` by sending a `details` object per
//! connection. Each type has a connector model in the API document (its "Models"
//! section); [`validate_details`] checks a `details` object against that model
//! so a bad connection lands in the response's `failure` list with a
//! [`ConnectionProblem`], which the face words for the client to act on.
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

/// What a field's value must be. A rule describes the expected shape only, never a value
/// received, so reporting it cannot leak a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A non-empty string (the API's convention, also for optional strings).
    NonEmptyString,
    /// A TCP port: a JSON integer in 1..=65535.
    Port,
    Boolean,
    Object,
    /// A string taken from a fixed list.
    OneOf(&'static [&'static str]),
}

impl Rule {
    fn accepts(self, value: &Value) -> bool {
        match self {
            Rule::NonEmptyString => value.as_str().is_some_and(|s| !s.is_empty()),
            // `as_u64` is `None` for floats (even `5432.0`), negatives and non-numbers.
            Rule::Port => value.as_u64().is_some_and(|p| (1..=65535).contains(&p)),
            Rule::Boolean => value.is_boolean(),
            Rule::Object => value.is_object(),
            Rule::OneOf(allowed) => value.as_str().is_some_and(|s| allowed.contains(&s)),
        }
    }
}

/// Why a connection's `details` do not fit its connector model. It names fields and rules,
/// never a value (but the non-secret `type` a client sent), so no secret can leak through it;
/// each face words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionProblem {
    /// `details.type` is not the type of the template's connection.
    TypeMismatch {
        given: String,
        expected: ConnectionType,
    },
    /// Required fields that are absent (or `null`), in the model's order.
    Missing {
        connection: ConnectionType,
        fields: Vec<&'static str>,
    },
    /// The first field, in the model's order, whose value breaks its rule.
    Field { field: &'static str, rule: Rule },
}

/// One field of a connector model.
#[derive(Debug, Clone, Copy)]
struct Field {
    name: &'static str,
    rule: Rule,
    required: bool,
}

const fn req(name: &'static str, rule: Rule) -> Field {
    Field {
        name,
        rule,
        required: true,
    }
}

/// An optional field; fields with a documented default (`databaseType`,
/// `ssl`, `emailType`) are optional because absence means the default.
const fn opt(name: &'static str, rule: Rule) -> Field {
    Field {
        name,
        rule,
        required: false,
    }
}

const DATABASE_TYPES: &[&str] = &["postgresql", "mysql", "mssql", "oracle"];
const QUEUE_TYPES: &[&str] = &["rabbitmq", "activemq", "sqs"];
const EMAIL_TYPES: &[&str] = &["smtp"];

const DB_CONNECTOR: &[Field] = &[
    opt("databaseType", Rule::OneOf(DATABASE_TYPES)),
    req("username", Rule::NonEmptyString),
    req("password", Rule::NonEmptyString),
    req("hostname", Rule::NonEmptyString),
    req("port", Rule::Port),
    req("database", Rule::NonEmptyString),
];

const TWITTER_CONNECTOR: &[Field] = &[
    req("ckey", Rule::NonEmptyString),
    req("csecret", Rule::NonEmptyString),
    req("atoken", Rule::NonEmptyString),
    req("asecret", Rule::NonEmptyString),
];

// The queue models start with `queueType`, which has already been checked
// when the model was chosen (see `model_for`), so it is left out here.

/// Rabbit_Queue_Connector and Active_Queue_Connector have the same fields.
const BROKER_QUEUE_CONNECTOR: &[Field] = &[
    req("readQueue", Rule::NonEmptyString),
    req("writeQueue", Rule::NonEmptyString),
    req("username", Rule::NonEmptyString),
    req("password", Rule::NonEmptyString),
    req("host", Rule::NonEmptyString),
    opt("ssl", Rule::Boolean),
];

const SQS_QUEUE_CONNECTOR: &[Field] = &[
    req("readQueue", Rule::NonEmptyString),
    opt("writeQueue", Rule::NonEmptyString),
    opt("awsAccessKeyId", Rule::NonEmptyString),
    req("awsSecretAccessKey", Rule::NonEmptyString),
    req("awsRegion", Rule::NonEmptyString),
];

const SOAP_WEB_SERVICE_CONNECTOR: &[Field] = &[
    req("wsdlUrl", Rule::NonEmptyString),
    opt("headerParams", Rule::Object),
];

const WEB_SERVICE_CONNECTOR: &[Field] = &[
    req("endpoint", Rule::NonEmptyString),
    opt("queryParams", Rule::Object),
    opt("headerParams", Rule::Object),
];

const EMAIL_CONNECTOR: &[Field] = &[
    opt("emailType", Rule::OneOf(EMAIL_TYPES)),
    req("username", Rule::NonEmptyString),
    req("password", Rule::NonEmptyString),
    req("host", Rule::NonEmptyString),
    req("port", Rule::Port),
];

const LIFT_CONNECTOR: &[Field] = &[
    opt("liftEndpoint", Rule::NonEmptyString),
    opt("accountId", Rule::NonEmptyString),
    opt("accessKeyId", Rule::NonEmptyString),
    req("secretAccessKey", Rule::NonEmptyString),
];

/// A field's value, treating an explicit `null` as absent.
fn present<'a>(details: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    details.get(name).filter(|v| !v.is_null())
}

/// The connector model that applies; for queues `queueType` selects it.
fn model_for(
    expected: ConnectionType,
    details: &Map<String, Value>,
) -> Result<&'static [Field], ConnectionProblem> {
    Ok(match expected {
        ConnectionType::Database => DB_CONNECTOR,
        ConnectionType::Twitter => TWITTER_CONNECTOR,
        ConnectionType::SoapWebService => SOAP_WEB_SERVICE_CONNECTOR,
        ConnectionType::WebService => WEB_SERVICE_CONNECTOR,
        ConnectionType::Email => EMAIL_CONNECTOR,
        ConnectionType::Lift => LIFT_CONNECTOR,
        ConnectionType::Queue => match present(details, "queueType").map(Value::as_str) {
            None => {
                return Err(ConnectionProblem::Missing {
                    connection: expected,
                    fields: vec!["queueType"],
                });
            }
            Some(Some("rabbitmq" | "activemq")) => BROKER_QUEUE_CONNECTOR,
            Some(Some("sqs")) => SQS_QUEUE_CONNECTOR,
            Some(_) => {
                return Err(ConnectionProblem::Field {
                    field: "queueType",
                    rule: Rule::OneOf(QUEUE_TYPES),
                });
            }
        },
    })
}

/// Checks `details` (the JSON object a client sends for one connection in
/// PUT /project/{id}) against the connector model for a connection of type
/// `expected`.
///
/// `details["type"]` has already been checked by the caller to be a non-empty
/// string. Returns the first problem: a type mismatch, then all missing
/// required fields (in model order), then the first field (in model order)
/// whose value has the wrong shape. Unknown extra fields are ignored; `null`
/// counts as absent.
pub fn validate_details(
    expected: ConnectionType,
    details: &Map<String, Value>,
) -> Result<(), ConnectionProblem> {
    let given = details
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if given != expected.as_str() {
        return Err(ConnectionProblem::TypeMismatch {
            given: given.to_owned(),
            expected,
        });
    }

    let model = model_for(expected, details)?;

    let missing: Vec<&'static str> = model
        .iter()
        .filter(|f| f.required && present(details, f.name).is_none())
        .map(|f| f.name)
        .collect();
    if !missing.is_empty() {
        return Err(ConnectionProblem::Missing {
            connection: expected,
            fields: missing,
        });
    }

    for field in model {
        if let Some(value) = present(details, field.name)
            && !field.rule.accepts(value)
        {
            return Err(ConnectionProblem::Field {
                field: field.name,
                rule: field.rule,
            });
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

    /// The problem with `d`, checked to quote no secret value.
    fn err(t: ConnectionType, d: &Map<String, Value>) -> ConnectionProblem {
        let e = validate_details(t, d).expect_err("expected a validation error");
        let shown = format!("{e:?}");
        for secret in ALL_SECRETS {
            assert!(
                !shown.contains(secret),
                "the problem quotes a secret: {shown}"
            );
        }
        e
    }

    fn missing(connection: ConnectionType, fields: &[&'static str]) -> ConnectionProblem {
        ConnectionProblem::Missing {
            connection,
            fields: fields.to_vec(),
        }
    }

    fn bad(field: &'static str, rule: Rule) -> ConnectionProblem {
        ConnectionProblem::Field { field, rule }
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
            let ConnectionProblem::Missing { connection, fields } = err(t, &without(d, name))
            else {
                panic!("{t}: {name} should be missing");
            };
            assert_eq!((connection, fields.as_slice()), (t, [name].as_slice()));
        }
    }

    #[test]
    fn all_missing_fields_listed_in_model_order() {
        let db = ConnectionType::Database;
        let d = obj(json!({ "type": "database", "port": "not checked yet" }));
        assert_eq!(
            err(db, &d),
            missing(db, &["username", "password", "hostname", "database"])
        );
        let d = with(minimal(db), "password", Value::Null);
        assert_eq!(err(db, &d), missing(db, &["password"]));
    }

    #[test]
    fn wrong_types_are_rejected() {
        let db = ConnectionType::Database;
        for value in [
            json!("5432"),
            json!(0),
            json!(70000),
            json!(-1),
            json!(5432.5),
            json!(5432.0),
            json!(true),
        ] {
            assert_eq!(
                err(db, &with(minimal(db), "port", value)),
                bad("port", Rule::Port)
            );
        }
        let email = ConnectionType::Email;
        assert_eq!(
            err(email, &with(minimal(email), "port", json!(0))),
            bad("port", Rule::Port)
        );
        assert_eq!(
            err(db, &with(minimal(db), "username", json!(""))),
            bad("username", Rule::NonEmptyString)
        );
        let q = ConnectionType::Queue;
        assert_eq!(
            err(q, &with(minimal(q), "ssl", json!("yes"))),
            bad("ssl", Rule::Boolean)
        );
        assert_eq!(
            err(q, &with(sqs(), "writeQueue", json!(7))),
            bad("writeQueue", Rule::NonEmptyString)
        );
        let soap = ConnectionType::SoapWebService;
        assert_eq!(
            err(
                soap,
                &with(minimal(soap), "headerParams", json!("X-Key: v"))
            ),
            bad("headerParams", Rule::Object)
        );
        let ws = ConnectionType::WebService;
        assert_eq!(
            err(ws, &with(minimal(ws), "queryParams", json!(["a"]))),
            bad("queryParams", Rule::Object)
        );
        let lift = ConnectionType::Lift;
        assert_eq!(
            err(lift, &with(minimal(lift), "accountId", json!(42))),
            bad("accountId", Rule::NonEmptyString)
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
        assert_eq!(err(db, &d), bad("hostname", Rule::NonEmptyString));
    }

    #[test]
    fn bad_enums_are_rejected() {
        let db = ConnectionType::Database;
        for value in [json!("sqlite"), json!(""), json!("PostgreSQL"), json!(1)] {
            assert_eq!(
                err(db, &with(minimal(db), "databaseType", value)),
                bad("databaseType", Rule::OneOf(DATABASE_TYPES))
            );
        }
        assert_eq!(DATABASE_TYPES, ["postgresql", "mysql", "mssql", "oracle"]);
        let q = ConnectionType::Queue;
        for value in [json!("kafka"), json!(""), json!(true)] {
            assert_eq!(
                err(q, &with(minimal(q), "queueType", value)),
                bad("queueType", Rule::OneOf(QUEUE_TYPES))
            );
        }
        assert_eq!(QUEUE_TYPES, ["rabbitmq", "activemq", "sqs"]);
        let email = ConnectionType::Email;
        assert_eq!(
            err(email, &with(minimal(email), "emailType", json!("imap"))),
            bad("emailType", Rule::OneOf(EMAIL_TYPES))
        );
        assert_eq!(EMAIL_TYPES, ["smtp"]);
    }

    #[test]
    fn type_mismatch_is_rejected() {
        let d = minimal(ConnectionType::Twitter);
        assert_eq!(
            err(ConnectionType::Database, &d),
            ConnectionProblem::TypeMismatch {
                given: "twitter".into(),
                expected: ConnectionType::Database,
            }
        );
        // The wire names are case-sensitive.
        let d = with(
            minimal(ConnectionType::WebService),
            "type",
            json!("webservice"),
        );
        assert_eq!(
            err(ConnectionType::WebService, &d),
            ConnectionProblem::TypeMismatch {
                given: "webservice".into(),
                expected: ConnectionType::WebService,
            }
        );
    }

    #[test]
    fn secret_values_never_appear_in_problems() {
        // Invalid secret values themselves are described, not quoted.
        let db = ConnectionType::Database;
        let e = err(db, &with(minimal(db), "password", json!([PW])));
        assert_eq!(e, bad("password", Rule::NonEmptyString));
        let tw = ConnectionType::Twitter;
        let e = err(tw, &with(minimal(tw), "ckey", json!({ "k": CKEY })));
        assert_eq!(e, bad("ckey", Rule::NonEmptyString));
        // Secrets present alongside other errors are not carried either
        // (`err` checks every problem against ALL_SECRETS).
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
