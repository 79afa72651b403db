//! Kubeconfig files the way `kubectl config` handles them: which files are
//! in play and what they merge to (`load`), how edits are written back
//! (`save`), and the credentials a user entry names (`credentials`).

mod credentials;
mod lint;
mod load;
mod prune;
mod save;

use kauth_kubeconfig::model::DecodeError;

use crate::lock;

pub use credentials::{
    CredentialError, UserCredential, client_certificate, client_certificate_and_key,
    context_namespace, read_referenced, referenced_path, select_user, user_credential,
};
pub use lint::{Fixed, LintSettings, Report, fix, lint};
pub use load::{PathOptions, load_file, load_files, names, starting_config};
pub use prune::{Removal, prune};
pub use save::{modify, write_file};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("error loading config file \"{file}\": {source}")]
    Load {
        file: String,
        #[source]
        source: DecodeError,
    },
    #[error("error loading config file \"{file}\": {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// One line per file, as kubectl prints an aggregate of errors.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Several(Vec<StoreError>),
    #[error("cannot write \"{file}\": {source}")]
    Write {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Lock(#[from] lock::LockError),
    /// An environment variable with a value kauth refuses.
    #[error("{0}")]
    Setting(String),
    #[error("no config found to write context")]
    NoFileForContext,
    #[error("no config found to write preferences")]
    NoFileForPreferences,
}

pub type Result<T> = std::result::Result<T, StoreError>;
