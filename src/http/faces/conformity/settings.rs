//! Account settings: `PATCH /accounts/{id}/settings/bot`, `GET/PATCH
//! /accounts/{id}/settings/rules` and `GET/PATCH /accounts/{id}/settings/rules/{ruleId}`. They
//! are kept and given back as given, checked as the Conformity documents describe them.

use axum::extract::{RawQuery, State};
use serde_json::{Map, Value, json};

use super::accounts::account_json;
use super::document::{Conformity, ConformityError, ConformityResult, Document, FullDocument, ok};
use super::members::{attributes, optional_object, optional_text};
use super::path::PathParams;
use crate::domain::PublicId;
use crate::domain::conformity::{RISK_LEVELS, is_aws_region, is_rule_id};
use crate::http::AppState;
use crate::http::kit::{Caller, Face, PathId};
use crate::service::{AccountRules, Invalid, NewRuleSetting, RuleSetting, ServiceError};

/// The most accounts one Bot settings change may also apply to.
const MAX_OTHER_ACCOUNTS: usize = 25;

/// A rule setting as every route shows it: the `ruleSetting` object as it was given.
pub fn rule_json(rule: &RuleSetting) -> Value {
    rule.setting.clone()
}

fn rules_document(rules: &AccountRules, with_notes: bool) -> Value {
    let mut document = json!({
        "data": {
            "type": "accounts",
            "id": rules.account_public_id,
            "attributes": {
                "settings": { "rules": rules.rules.iter().map(rule_json).collect::<Vec<_>>() }
            },
            "relationships": {
                "organisation": { "data": { "type": "organisations", "id": rules.org_public_id } }
            },
        }
    });
    if with_notes {
        let notes: Vec<Value> = rules
            .rules
            .iter()
            .filter_map(|rule| rule.note.as_ref())
            .map(|note| json!({ "createdBy": note.by, "createdDate": note.at, "note": note.note }))
            .collect();
        document["meta"] = json!({ "notes": notes });
    }
    document
}

/// The Bot settings of a request: `data.attributes.settings.bot`, each member checked.
fn bot_settings(data: &Map<String, Value>) -> Result<Map<String, Value>, ConformityError> {
    const BOT: &str = "/data/attributes/settings/bot";
    let bot = optional_object(attributes(data)?, "settings")
        .and_then(|settings| optional_object(settings, "bot"))
        .ok_or_else(|| ConformityError::invalid(BOT, "settings.bot is required"))?;
    for (member, value) in bot {
        match member.as_str() {
            "disabled" if !value.is_boolean() => {
                return Err(ConformityError::invalid(
                    "/data/attributes/settings/bot/disabled",
                    "disabled must be a boolean",
                ));
            }
            "delay" if value.as_u64().is_none() => {
                return Err(ConformityError::invalid(
                    "/data/attributes/settings/bot/delay",
                    "delay must be a whole number of hours, 0 or more",
                ));
            }
            "disabledUntil" if !value.is_null() && value.as_u64().is_none() => {
                return Err(ConformityError::invalid(
                    "/data/attributes/settings/bot/disabledUntil",
                    "disabledUntil must be a time in epoch milliseconds, or null",
                ));
            }
            "disabledRegions" => disabled_regions(value)?,
            "disabled" | "delay" | "disabledUntil" => {}
            other => {
                return Err(ConformityError::invalid(
                    BOT,
                    format!(
                        "'{other}' is not a Bot setting: disabled, delay, disabledUntil or disabledRegions"
                    ),
                ));
            }
        }
    }
    Ok(bot.clone())
}

fn disabled_regions(value: &Value) -> Result<(), ConformityError> {
    const POINTER: &str = "/data/attributes/settings/bot/disabledRegions";
    let regions = value
        .as_object()
        .filter(|regions| regions.values().all(Value::is_boolean))
        .ok_or_else(|| {
            ConformityError::invalid(
                POINTER,
                "disabledRegions must map AWS regions to true or false",
            )
        })?;
    match regions.keys().find(|region| !is_aws_region(region)) {
        Some(region) => Err(ConformityError::invalid(
            POINTER,
            format!("'{region}' is not an AWS region"),
        )),
        None => Ok(()),
    }
}

/// `meta.otherAccounts`: the accounts the Bot settings also apply to.
fn other_accounts(meta: &Value) -> Result<Vec<PublicId>, ConformityError> {
    let Some(others) = meta.get("otherAccounts").filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let ids = others
        .as_array()
        .filter(|ids| ids.len() <= MAX_OTHER_ACCOUNTS)
        .and_then(|ids| ids.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
        .ok_or_else(|| {
            ConformityError::invalid(
                "/meta/otherAccounts",
                format!(
                    "meta.otherAccounts must be an array of at most {MAX_OTHER_ACCOUNTS} account ids"
                ),
            )
        })?;
    ids.into_iter()
        .map(|id| PublicId::parse(id).ok_or_else(|| ConformityError::account_not_found(id)))
        .collect()
}

/// `PATCH /accounts/{id}/settings/bot`: changes the Bot settings given, of this account and of
/// `meta.otherAccounts`; answers those accounts.
pub async fn update_bot(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
    FullDocument { data, meta }: FullDocument,
) -> ConformityResult {
    let bot = bot_settings(&data)?;
    let others = other_accounts(&meta)?;
    let accounts = state
        .services
        .update_bot_settings(&actor, &id, &bot, &others)
        .await?;
    Ok(ok(
        json!({ "data": accounts.iter().map(account_json).collect::<Vec<_>>() }),
    ))
}

/// Where each member of a rule setting is, in the document of one route.
struct RulePointers {
    setting: &'static str,
    id: &'static str,
    risk_level: &'static str,
    enabled: &'static str,
    rule_exists: &'static str,
    exceptions: &'static str,
    provider: &'static str,
    extra_settings: &'static str,
}

/// `PATCH /accounts/{id}/settings/rules/{ruleId}`: one `ruleSetting` object.
const ONE_RULE: RulePointers = RulePointers {
    setting: "/data/attributes/ruleSetting",
    id: "/data/attributes/ruleSetting/id",
    risk_level: "/data/attributes/ruleSetting/riskLevel",
    enabled: "/data/attributes/ruleSetting/enabled",
    rule_exists: "/data/attributes/ruleSetting/ruleExists",
    exceptions: "/data/attributes/ruleSetting/exceptions",
    provider: "/data/attributes/ruleSetting/provider",
    extra_settings: "/data/attributes/ruleSetting/extraSettings",
};

/// `PATCH /accounts/{id}/settings/rules`: an array of them (the message names the rule).
const MANY_RULES: RulePointers = RulePointers {
    setting: "/data/attributes/ruleSettings",
    id: "/data/attributes/ruleSettings",
    risk_level: "/data/attributes/ruleSettings",
    enabled: "/data/attributes/ruleSettings",
    rule_exists: "/data/attributes/ruleSettings",
    exceptions: "/data/attributes/ruleSettings",
    provider: "/data/attributes/ruleSettings",
    extra_settings: "/data/attributes/ruleSettings",
};

const RULE_SETTING_MEMBERS: [&str; 7] = [
    "id",
    "enabled",
    "riskLevel",
    "exceptions",
    "provider",
    "extraSettings",
    "ruleExists",
];

/// A `ruleSetting` object for rule `rule_id`, checked as documented; its `id` is the rule's.
fn rule_setting(
    rule_id: &str,
    setting: &Map<String, Value>,
    at: &RulePointers,
) -> Result<NewRuleSetting, ConformityError> {
    if setting
        .keys()
        .any(|member| !RULE_SETTING_MEMBERS.contains(&member.as_str()))
    {
        return Err(ConformityError::invalid(
            at.setting,
            format!("One or more rule setting property is invalid for {rule_id}"),
        ));
    }
    match setting.get("id") {
        None | Some(Value::Null) => {}
        Some(Value::String(id)) if id == rule_id => {}
        Some(_) => {
            return Err(ConformityError::invalid(
                at.id,
                format!("The rule setting's id must be {rule_id}, the rule it is for"),
            ));
        }
    }
    match setting.get("riskLevel") {
        None | Some(Value::Null) => {
            return Err(ConformityError::invalid(
                at.risk_level,
                format!("Rule risk level missing for {rule_id}"),
            ));
        }
        Some(Value::String(level)) if RISK_LEVELS.contains(&level.as_str()) => {}
        Some(_) => {
            return Err(ConformityError::invalid(
                at.risk_level,
                format!("Rule risk level provided for {rule_id} is incorrect"),
            ));
        }
    }
    if !setting.get("enabled").is_some_and(Value::is_boolean) {
        return Err(ConformityError::invalid(
            at.enabled,
            format!("Rule enable status is not valid for {rule_id}"),
        ));
    }
    if !setting
        .get("ruleExists")
        .is_none_or(|v| v.is_null() || v.is_boolean())
    {
        return Err(ConformityError::invalid(
            at.rule_exists,
            format!("Rule exists status is not valid for {rule_id}"),
        ));
    }
    if !setting.get("exceptions").is_none_or(valid_exceptions) {
        return Err(ConformityError::invalid(
            at.exceptions,
            format!(
                "Rule exceptions are not valid for {rule_id}: an object of filterTags, resources and tags, each an array of strings"
            ),
        ));
    }
    if !setting
        .get("provider")
        .is_none_or(|v| v.is_null() || v.is_string())
    {
        return Err(ConformityError::invalid(
            at.provider,
            format!("Provider is invalid for {rule_id}: it must be a string"),
        ));
    }
    let extra_ok = match setting.get("extraSettings") {
        None | Some(Value::Null) => true,
        Some(Value::Array(items)) => items.iter().all(Value::is_object),
        Some(_) => false,
    };
    if !extra_ok {
        return Err(ConformityError::invalid(
            at.extra_settings,
            format!(
                "Rule extra settings are not valid for {rule_id}: an array of objects, or null"
            ),
        ));
    }
    let mut setting = setting.clone();
    setting.insert("id".into(), Value::String(rule_id.to_owned()));
    Ok(NewRuleSetting {
        rule_id: rule_id.to_owned(),
        setting,
    })
}

fn valid_exceptions(exceptions: &Value) -> bool {
    match exceptions {
        Value::Null => true,
        Value::Object(members) => members.iter().all(|(name, value)| {
            matches!(name.as_str(), "filterTags" | "resources" | "tags")
                && match value {
                    Value::Null => true,
                    Value::Array(items) => items.iter().all(Value::is_string),
                    _ => false,
                }
        }),
        _ => false,
    }
}

fn note(attributes: &Map<String, Value>) -> Result<Option<&str>, ConformityError> {
    optional_text(attributes, "note", "/data/attributes/note")
}

/// The account id and the rule id of `/accounts/{account_id}/settings/rules/{rule_id}`.
fn account_and_rule(params: &[String]) -> Result<(PublicId, &str), ConformityError> {
    let [account, rule] = params else {
        return Err(Conformity::route_not_found());
    };
    let account =
        PublicId::parse(account).ok_or_else(|| ConformityError::account_not_found(account))?;
    if !is_rule_id(rule) {
        return Err(ConformityError::new(
            axum::http::StatusCode::NOT_FOUND,
            format!("Rule {rule} was not found"),
        ));
    }
    Ok((account, rule))
}

fn wants_notes(query: Option<&str>) -> bool {
    query.is_some_and(|query| query.split('&').any(|pair| pair == "notes=true"))
}

/// `GET /accounts/{id}/settings/rules`: the configured rule settings (there are no defaults to
/// include: `includeDefaults` changes nothing).
pub async fn rules(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
) -> ConformityResult {
    let rules = state.services.account_rule_settings(&actor, &id).await?;
    Ok(ok(rules_document(&rules, false)))
}

/// `GET /accounts/{id}/settings/rules/{ruleId}`, with its note under `meta` when
/// `?notes=true`.
pub async fn rule(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathParams(params): PathParams,
    RawQuery(query): RawQuery,
) -> ConformityResult {
    let (id, rule_id) = account_and_rule(&params)?;
    let rules = state
        .services
        .account_rule_setting(&actor, &id, rule_id)
        .await?;
    Ok(ok(rules_document(&rules, wants_notes(query.as_deref()))))
}

/// `PATCH /accounts/{id}/settings/rules/{ruleId}`: one rule's setting and a note.
pub async fn update_rule(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathParams(params): PathParams,
    Document(data): Document,
) -> ConformityResult {
    let (id, rule_id) = account_and_rule(&params)?;
    let attributes = attributes(&data)?;
    let setting = optional_object(attributes, "ruleSetting").ok_or_else(|| {
        ConformityError::invalid("/data/attributes/ruleSetting", "ruleSetting is required")
    })?;
    let setting = rule_setting(rule_id, setting, &ONE_RULE)?;
    let note = note(attributes)?;
    let rules = state
        .services
        .put_rule_settings(&actor, &id, &[setting], note)
        .await?;
    Ok(ok(rules_document(&rules, false)))
}

/// `PATCH /accounts/{id}/settings/rules`: several rules' settings, each naming its rule, and
/// one note.
pub async fn update_rules(
    State(state): State<AppState>,
    Caller(actor, _): Caller<Conformity>,
    PathId(id, _): PathId<Conformity>,
    Document(data): Document,
) -> ConformityResult {
    const POINTER: &str = "/data/attributes/ruleSettings";
    let attributes = attributes(&data)?;
    let shape = || {
        ConformityError::invalid(
            POINTER,
            "ruleSettings must be an array of rule settings, each with the id of its rule",
        )
    };
    let items = attributes
        .get("ruleSettings")
        .and_then(Value::as_array)
        .ok_or_else(shape)?;
    let mut settings = Vec::with_capacity(items.len());
    for item in items {
        let setting = item.as_object().ok_or_else(shape)?;
        let rule_id = setting
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(shape)?;
        if !is_rule_id(rule_id) {
            return Err(ConformityError::invalid(
                POINTER,
                format!("'{rule_id}' is not a rule id"),
            ));
        }
        settings.push(rule_setting(rule_id, setting, &MANY_RULES)?);
    }
    let note = note(attributes)?;
    let rules = state
        .services
        .put_rule_settings(&actor, &id, &settings, note)
        .await
        .map_err(|error| match error {
            ServiceError::Invalid(Invalid::RuleProvider { rule, provider }) => {
                ConformityError::invalid(
                    POINTER,
                    format!("Provider {provider} is invalid for {rule}"),
                )
            }
            other => other.into(),
        })?;
    Ok(ok(rules_document(&rules, false)))
}
