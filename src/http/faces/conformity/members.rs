//! Reading the members of a request document: each problem a 422 pointing at the member, in
//! the face's words.

use serde_json::{Map, Value};

use super::document::{ConformityError, bad_text};
use crate::domain::conformity::{MAX_TAGS, is_tag};
use crate::domain::{Name, TextProblem};
use crate::service::TextField;

/// The `attributes` object of a document's `data`.
pub fn attributes(data: &Map<String, Value>) -> Result<&Map<String, Value>, ConformityError> {
    match data.get("attributes") {
        Some(Value::Object(attributes)) => Ok(attributes),
        _ => Err(ConformityError::invalid(
            "/data/attributes",
            "The document's data must have an attributes object",
        )),
    }
}

/// A string member, or `None` when it is absent or null.
pub fn optional_text<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    pointer: &'static str,
) -> Result<Option<&'a str>, ConformityError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(ConformityError::invalid(
            pointer,
            format!("{key} must be a string"),
        )),
    }
}

/// A string member that is not blank, trimmed.
pub fn required_text<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    pointer: &'static str,
) -> Result<&'a str, ConformityError> {
    optional_text(object, key, pointer)?
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .ok_or_else(|| ConformityError::invalid(pointer, format!("{key} is required")))
}

/// A string member that is not blank, as given (names that are read back for comparison).
pub fn required_exact_text<'a>(
    object: &'a Map<String, Value>,
    key: &str,
    pointer: &'static str,
) -> Result<&'a str, ConformityError> {
    optional_text(object, key, pointer)?
        .filter(|text| !text.trim().is_empty())
        .ok_or_else(|| ConformityError::invalid(pointer, format!("{key} is required")))
}

/// An object member, or `None` when it is absent or null.
pub fn optional_object<'a>(
    object: &'a Map<String, Value>,
    key: &str,
) -> Option<&'a Map<String, Value>> {
    object.get(key).and_then(Value::as_object)
}

/// `tags` as a request gives it: absent (`None`: unchanged), `null` (no tags: the Terraform
/// client sends `null` for an empty set), or an array of at most 50 tags of 1 to 80 letters,
/// digits, spaces, `-` and `_`.
pub fn tags(attributes: &Map<String, Value>) -> Result<Option<Vec<String>>, ConformityError> {
    tag_list(attributes, true)
}

/// `tags` of `PATCH /accounts/{id}`: as `tags`, but how many there are is left to the
/// service's text rules (`tags must have at most 50 items`), as that route has always
/// answered.
pub fn tags_of_account_update(
    attributes: &Map<String, Value>,
) -> Result<Option<Vec<String>>, ConformityError> {
    tag_list(attributes, false)
}

/// A tag that breaks a text rule every stored text follows (a control or bidi character, more
/// than 200 characters) is told so before its shape is checked, so that it is never echoed.
fn text_rule_broken(tag: &str) -> Option<TextProblem> {
    match Name::parse(tag) {
        Err(problem @ (TextProblem::ForbiddenCharacter | TextProblem::TooLong { .. })) => {
            Some(problem)
        }
        _ => None,
    }
}

fn tag_list(
    attributes: &Map<String, Value>,
    count_here: bool,
) -> Result<Option<Vec<String>>, ConformityError> {
    const POINTER: &str = "/data/attributes/tags";
    match attributes.get("tags") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(Vec::new())),
        Some(Value::Array(items)) => {
            let tags = items
                .iter()
                .map(|item| item.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    ConformityError::invalid(POINTER, "tags must be an array of strings")
                })?;
            if count_here && tags.len() > MAX_TAGS {
                return Err(ConformityError::invalid(
                    POINTER,
                    format!("tags may hold at most {MAX_TAGS} tags"),
                ));
            }
            if let Some(problem) = tags.iter().find_map(|tag| text_rule_broken(tag)) {
                return Err(bad_text(TextField::Tags, problem));
            }
            if let Some(bad) = tags.iter().find(|tag| !is_tag(tag)) {
                return Err(ConformityError::invalid(
                    POINTER,
                    format!("'{bad}' is not a valid tag: 1 to 80 letters, digits, spaces, - or _"),
                ));
            }
            Ok(Some(tags))
        }
        Some(_) => Err(ConformityError::invalid(
            POINTER,
            "tags must be an array of strings",
        )),
    }
}

/// The `environment` member of a new account: a string, empty when absent or null.
pub fn environment(attributes: &Map<String, Value>) -> Result<&str, ConformityError> {
    Ok(optional_text(attributes, "environment", "/data/attributes/environment")?.unwrap_or(""))
}
