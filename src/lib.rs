//! kauth: Kubernetes credentials and kubeconfig files.
//!
//! The crate is a library core with a thin command-line layer on top.
//! Dependencies point one way: `cli` -> `store` -> the pure core.
//!
//! - [`kubeconfig`]: the kubeconfig model, its YAML form (byte-compatible
//!   with what `kubectl config` writes), merging with file provenance, pure
//!   edits and views (minify, flatten, redact).
//! - [`auth`]: kube-apiserver's authentication and authorization logic:
//!   request info, x509, token file and ServiceAccount authenticators, RBAC.
//! - [`pki`]: keys, CSRs, a local CA and client certificates.
//! - [`sa`]: ServiceAccount token Secrets and TokenRequests.
//! - [`client`]: HTTPS to API servers and kubelets (the one module that
//!   talks to the network), with typed API calls.
//! - [`store`]: the only module that touches files and the environment:
//!   loading rules, locking, atomic writes.
//! - [`yaml`]: the only module that knows YAML: reading as kubectl reads,
//!   writing byte for byte as kubectl writes.
//! - [`cli`]: argument parsing, output formatting and error rendering.
//!
//! The core does no I/O, reads no environment, takes `now` as a parameter
//! and never prints.

pub mod auth;
pub mod cli;
pub mod client;
pub mod csv;
pub mod jsonpath;
pub mod kubeconfig;
pub mod pki;
pub mod sa;
pub mod store;
pub mod yaml;
