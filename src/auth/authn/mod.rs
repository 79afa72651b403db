//! Authentication: which user a credential makes.

pub mod token_file;
pub mod x509;
