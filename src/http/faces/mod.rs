//! One module per face: each translates its wire format to service calls and back.

pub mod xponent;
