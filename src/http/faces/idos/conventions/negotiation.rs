//! Output formats: JSON, JSON-P (`application/javascript` with a `callback`) and XML, chosen by
//! `forceOutput` or else by `Accept`.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    Json,
    /// JSON-P, with the callback to call.
    Javascript(String),
    Xml,
}

/// The default JSON-P callback, as idOS names it.
pub const DEFAULT_CALLBACK: &str = "jsonp";

/// A JavaScript identifier path (`cb`, `app.handlers.cb`, `$`): what a callback may be, so a
/// callback can never inject script.
pub fn is_callback(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 128
        && text.split('.').all(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        })
}

/// The format asked for: `forceOutput` (`json`, `javascript`, `xml`) first, then the first of
/// the `Accept` media types orghub speaks; JSON when neither names one.
pub fn choose(force_output: Option<&str>, accept: Option<&str>, callback: Option<&str>) -> Format {
    let javascript = || Format::Javascript(callback.unwrap_or(DEFAULT_CALLBACK).to_owned());
    if let Some(forced) = force_output.filter(|f| !f.is_empty()) {
        return match forced.to_ascii_lowercase().as_str() {
            "xml" => Format::Xml,
            "javascript" => javascript(),
            _ => Format::Json,
        };
    }
    for media in accept.unwrap_or_default().split(',') {
        let media = media
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match media.as_str() {
            "application/json" => return Format::Json,
            "application/javascript" | "text/javascript" => return javascript(),
            "application/xml" | "text/xml" => return Format::Xml,
            _ => {}
        }
    }
    Format::Json
}

impl Format {
    pub fn content_type(&self) -> &'static str {
        match self {
            // JSON has no charset parameter (RFC 8259): the blueprint's responses say
            // `application/json`.
            Format::Json => "application/json",
            Format::Javascript(_) => "application/javascript; charset=utf-8",
            Format::Xml => "application/xml; charset=utf-8",
        }
    }

    /// The envelope in this format.
    pub fn render(&self, envelope: &Value) -> Vec<u8> {
        match self {
            Format::Json => json(envelope).into_bytes(),
            Format::Javascript(callback) => {
                format!("/**/{callback}({})", json(envelope)).into_bytes()
            }
            Format::Xml => xml(envelope).into_bytes(),
        }
    }
}

/// The envelope as an XML document whose root is `<idos>`: an object's members are elements, an
/// array's items are repeated elements of the array's name, `null` an empty element.
/// quick-xml's serializer writes it; names that are not XML names (never in orghub's own
/// envelopes) are replaced by `item`.
pub fn xml(envelope: &Value) -> String {
    let body = quick_xml::se::to_string_with_root("idos", &Ordered(&xml_safe(envelope)))
        .unwrap_or_else(|_| "<idos/>".to_owned());
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}")
}

/// The members idOS writes first, in its order; other members follow in name order.
const FIRST_MEMBERS: [&str; 9] = [
    "status",
    "data",
    "error",
    "code",
    "type",
    "link",
    "message",
    "pagination",
    "updated",
];

/// A JSON value serialized with envelope members in idOS's order (`status` first).
pub struct Ordered<'a>(pub &'a Value);

impl serde::Serialize for Ordered<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Object(map) => {
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for key in FIRST_MEMBERS {
                    if let Some(value) = map.get(key) {
                        out.serialize_entry(key, &Ordered(value))?;
                    }
                }
                for (key, value) in map {
                    if !FIRST_MEMBERS.contains(&key.as_str()) {
                        out.serialize_entry(key, &Ordered(value))?;
                    }
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&Ordered(item))?;
                }
                out.end()
            }
            other => other.serialize(serializer),
        }
    }
}

/// The envelope as JSON text, `status` first.
pub fn json(envelope: &Value) -> String {
    serde_json::to_string(&Ordered(envelope)).unwrap_or_else(|_| envelope.to_string())
}

fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        && !name.to_ascii_lowercase().starts_with("xml")
}

/// Object keys made XML names; arrays nested directly in arrays wrapped in an `item` element
/// (XML has no anonymous lists); `null` as an empty string.
fn xml_safe(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = if is_xml_name(k) {
                        k.clone()
                    } else {
                        "item".into()
                    };
                    (key, xml_safe(v))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| match item {
                    Value::Array(_) => serde_json::json!({ "item": xml_safe(item) }),
                    other => xml_safe(other),
                })
                .collect(),
        ),
        Value::Null => Value::String(String::new()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn callbacks_are_identifier_paths() {
        assert!(is_callback("jsonp"));
        assert!(is_callback("app.on_data"));
        assert!(is_callback("$cb1"));
        assert!(!is_callback("alert(1)"));
        assert!(!is_callback("a..b"));
        assert!(!is_callback("1abc"));
        assert!(!is_callback(""));
    }

    #[test]
    fn force_output_wins_over_accept() {
        assert_eq!(
            choose(Some("xml"), Some("application/json"), None),
            Format::Xml
        );
        assert_eq!(
            choose(
                None,
                Some("text/html, application/javascript;q=0.9"),
                Some("cb")
            ),
            Format::Javascript("cb".into())
        );
        assert_eq!(choose(None, Some("*/*"), None), Format::Json);
    }

    #[test]
    fn envelopes_become_xml_documents() {
        let xml =
            xml(&json!({"status": true, "data": [{"name": "A&B", "n": null}, {"name": "C"}]}));
        assert_eq!(
            xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<idos><status>true</status><data><n/><name>A&amp;B</name></data><data><name>C</name></data></idos>"
        );
    }
}
