//! Authentication: which user a credential makes.

pub mod jwt;
pub mod service_account;
pub mod token_file;
pub mod x509;
