//! Shared test infrastructure.

pub mod apiserver;
pub mod proxy;
