//! orghub: a self-hosted, multi-tenant organization hub with several faces (see DESIGN.md).
//!
//! Layers: `http` (listener, middleware, faces) → `service` (use cases, authorization,
//! transactions) → `store` (SQL) and `domain` (pure types), with `crypto` beside them.

pub mod cli;
pub mod crypto;
pub mod domain;
pub mod hooks;
pub mod http;
mod private_files;
pub mod service;
pub mod startup;
pub mod store;
pub mod telemetry;
