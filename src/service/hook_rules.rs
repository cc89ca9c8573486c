//! What the hooks use cases (`hooks.rs`, `deliveries.rs`, `idos/hooks.rs`) share: how a
//! hook's secrets are sealed, how many deliveries it takes at once, and when a failing hook is
//! disabled.

use crate::crypto::SealContext;
use crate::domain::Millis;

/// Deliveries to one endpoint that one node makes at once, unless the hook says otherwise.
/// With 16, a hook fell behind a node's write rate (`bench/hooks`: 2.1k deliveries/s against
/// 4.4k writes/s); 64 keeps up. It is a quarter of the default pool (`--hooks-workers` 256),
/// so a hanging endpoint leaves the others three quarters of it.
pub const DEFAULT_MAX_IN_FLIGHT: u32 = 64;

/// An endpoint that has failed every attempt for this long is disabled (as Svix does).
pub const DISABLE_AFTER: Millis = 5 * 24 * 60 * 60 * 1000;

/// The seal of a hook's URL.
pub(super) fn url_context(public_id: &str) -> SealContext<'_> {
    SealContext::HookUrl { hook: public_id }
}

/// The seal of a hook's signing secrets (the current one and the one rotated out).
pub(super) fn secret_context(public_id: &str) -> SealContext<'_> {
    SealContext::HookSecret { hook: public_id }
}
