//! orghub's integration tests, one binary (so the suite links once): every test starts the real
//! application on an ephemeral loopback port, on a fresh database of its own, and talks HTTP to
//! it. `helpers` has the harness; each other module is one face or one concern.
//!
//! `ORGHUB_TEST_DATABASE_URL=postgres://…` runs them on PostgreSQL (a database per test);
//! `TEST_LOG=1` shows the server's logs (`RUST_LOG` filters them).

mod caches;
mod cli;
mod conformity;
mod conformity_clouds;
mod conformity_groups_users;
mod conformity_isolation;
mod conformity_settings;
mod conformity_terraform;
mod cross_face;
mod helpers;
mod hooks;
mod hooks_crash;
mod hostile;
mod hostile_auth;
mod hostile_data;
mod idos;
mod idos_companies;
mod idos_members;
mod idos_settings;
mod integrity;
mod isolation;
mod native;
mod native_conformity;
mod native_credentials;
mod native_events;
mod native_hooks;
mod native_idempotency;
mod native_idos;
mod native_oauth;
mod native_orgs;
mod native_projects;
mod native_users;
mod races;
mod receiver;
mod smoke;
mod surfsight;
mod tenants;
mod xponent_orgs_projects;
mod xponent_token_users;
