//! The kubeconfig model and its pure operations: parsing and writing the
//! file format, merging files with provenance, edits, and views.
//!
//! Nothing here touches the file system; see the `kauth-store` crate.

pub mod edit;
pub mod import;
pub mod lint;
pub mod lossless;
pub mod merge;
pub mod model;
pub mod names;
pub mod paths;
pub mod usage;
pub mod view;

pub use model::{AuthInfo, AuthProvider, Cluster, Config, Context, ExecConfig, ExecEnvVar};
