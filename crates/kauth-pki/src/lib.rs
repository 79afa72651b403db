//! Keys, CSRs, a local CA and client certificates: pure functions over
//! bytes and a given `now`; files are the caller's business.

pub mod ca;
pub mod cert;
pub mod csr_api;
pub mod inspect;
pub mod key;
pub mod name;
pub mod p12;
mod pem_hint;
pub mod signature;
