//! Authentication: which user a credential makes.

pub mod x509;
