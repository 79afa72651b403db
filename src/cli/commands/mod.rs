//! One module per command area; each command is a thin function over
//! library code.

pub mod auth;
pub mod ca;
pub mod cert;
pub mod config;
pub mod csr;
pub mod key;
pub mod p12;
pub mod request;
pub mod sa;
pub mod token;
