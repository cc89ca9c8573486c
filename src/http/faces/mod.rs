//! One module per face: each translates its wire format to service calls and back.

pub mod conformity;
pub mod idos;
pub mod native;
pub mod surfsight;
pub mod xponent;
