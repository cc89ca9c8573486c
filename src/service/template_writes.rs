//! Templates: checked, written with their connections and their creation event, by an operator
//! (`import_template`) or by an actor who administers the organization.

use anyhow::Context;
use serde_json::json;

use super::Services;
use super::actor::{Access, Actor};
use super::error::{FieldRule, Invalid, ServiceError, ServiceResult, TextField};
use super::events::{EventOrg, Origin, event};
use super::lookup::{find_org_locked, parse_name};
use super::records::Template;
use super::setup::TemplateImport;
use crate::domain::connection::ConnectionType;
use crate::domain::events::EventType;
use crate::domain::{Kind, PublicId, now_millis};
use crate::store::{OrgRow, RowLock, Tx};

fn invalid(field: &'static str, rule: FieldRule) -> ServiceError {
    ServiceError::Invalid(Invalid::Field { field, rule })
}

/// The template's connections, once its name, type and connections are checked.
pub(super) fn checked_template(
    template: &TemplateImport,
) -> ServiceResult<Vec<(String, ConnectionType)>> {
    if template.name.trim().is_empty() {
        return Err(invalid("name", FieldRule::NonEmptyString));
    }
    if template.kind.trim().is_empty() {
        return Err(invalid("type", FieldRule::NonEmptyString));
    }
    parse_name(template.name.trim(), TextField::Name)?;
    parse_name(template.kind.trim(), TextField::Type)?;
    let mut connections = Vec::with_capacity(template.connections.len());
    for connection in &template.connections {
        if connection.name.trim().is_empty() {
            return Err(invalid("connections.name", FieldRule::NonEmptyString));
        }
        parse_name(&connection.name, TextField::ConnectionName)?;
        let kind = ConnectionType::parse(&connection.kind).ok_or_else(|| {
            ServiceError::Invalid(Invalid::ConnectionType {
                value: connection.kind.clone(),
            })
        })?;
        connections.push((connection.name.clone(), kind));
    }
    Ok(connections)
}

/// Writes a checked template into `org` with its creation event; returns its public id.
pub(super) async fn write_template(
    tx: &mut Tx,
    origin: Origin<'_>,
    org: &OrgRow,
    template: &TemplateImport,
    connections: &[(String, ConnectionType)],
    global: bool,
) -> ServiceResult<PublicId> {
    let now = now_millis();
    let public_id = PublicId::new();
    tx.insert_template(
        &public_id,
        org.id,
        template.name.trim(),
        template.kind.trim(),
        global,
        &template.graphs.to_string(),
        connections,
        now,
    )
    .await
    .context("inserting a template")?;
    let data = json!({
        "id": public_id.to_string(),
        "organizationId": org.public_id.to_string(),
        "name": template.name.trim(),
        "type": template.kind.trim(),
        "global": global,
        "connections": connections
            .iter()
            .map(|(name, kind)| json!({ "name": name, "type": kind.as_str() }))
            .collect::<Vec<_>>(),
    });
    let org_ref: EventOrg = org.into();
    tx.insert_event(
        event(origin, EventType::TemplateCreated, org_ref, data),
        now,
    )
    .await
    .context("writing a template's creation event")?;
    Ok(public_id)
}

impl Services {
    /// Creates a template in an organization the actor administers; `global` makes it
    /// available to the organizations below it too.
    pub async fn create_org_template(
        &self,
        actor: &Actor,
        org_id: &PublicId,
        template: &TemplateImport,
        global: bool,
    ) -> ServiceResult<Template> {
        let connections = checked_template(template)?;
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create a template")?;
        let org = find_org_locked(&mut tx, org_id, Kind::Organization, RowLock::KeyShare).await?;
        actor.authorize(
            Access::Administer,
            &org.path,
            Kind::Organization,
            org.public_id,
        )?;
        let public_id = write_template(
            &mut tx,
            Origin::Actor(actor),
            &org,
            template,
            &connections,
            global,
        )
        .await?;
        tx.commit().await.context("committing a template")?;
        Ok(Template {
            public_id: public_id.to_string(),
            name: template.name.trim().to_owned(),
            kind: template.kind.trim().to_owned(),
            global,
        })
    }
}
