//! What spanlens computes about traces: the span tree first, then (in later modules) the rest.

pub mod summary;
pub mod tree;
