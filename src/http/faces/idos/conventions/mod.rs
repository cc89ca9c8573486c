//! The idOS API's conventions, as tower layers and small pieces a later face can reuse:
//! envelopes and their rendering (`envelope`), output formats (`negotiation`), conditional
//! requests (`etag`), per-caller rate limits (`rate_limit`) and CORS (`cors`).

pub mod cors;
pub mod envelope;
pub mod etag;
pub mod negotiation;
pub mod rate_limit;
