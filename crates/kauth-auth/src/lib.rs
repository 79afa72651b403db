//! kube-apiserver's authentication and authorization logic, offline.
//!
//! Laid out like upstream so each file can be read next to the Go source
//! it follows (named at the top of each file):
//! - [`user`]: user info and the well-known users and groups;
//! - [`request_info`]: HTTP method and URL to verb, resource, namespace;
//! - [`authn`]: client certificates, static token files, ServiceAccount
//!   tokens, bootstrap tokens, the front proxy's request headers;
//! - [`authz`]: RBAC with the default cluster roles, and explanations.

pub mod apiserver;
pub mod authn;
pub mod authz;
pub mod cel;
pub mod kubelet;
pub mod request_info;
pub mod resources;
pub mod sa;
pub mod user;

pub use user::UserInfo;
