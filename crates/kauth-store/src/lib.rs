//! Files and environment: the kubeconfig loading rules, the lock kubectl
//! honours, atomic writes.

pub mod apiserver;
pub mod atomic;
pub mod files;
pub mod kubeconfig;
pub mod local_ca;
pub mod lock;
pub mod rbac;
pub mod state;

/// Environment variables kauth reads, each declared once.
pub mod env {
    /// Colon-separated list of kubeconfig files, as for kubectl.
    pub const KUBECONFIG: &str = "KUBECONFIG";
    /// Home directory: `~/.kube/config` is the default kubeconfig.
    pub const HOME: &str = "HOME";
    /// Seconds to wait for another process's kubeconfig lock (default 10).
    pub const LOCK_TIMEOUT: &str = "KAUTH_LOCK_TIMEOUT";
    /// Where kauth keeps its own state (the previous context).
    pub const XDG_STATE_HOME: &str = "XDG_STATE_HOME";
    /// Where kauth keeps its data (the local CA), unless `KAUTH_CAROOT`.
    pub const XDG_DATA_HOME: &str = "XDG_DATA_HOME";
    /// The directory of kauth's local CA.
    pub const KAUTH_CAROOT: &str = "KAUTH_CAROOT";
    /// Where `config lint` looks for exec plugins named without a `/`,
    /// as Go's `exec.LookPath` does when client-go runs them.
    pub const PATH: &str = "PATH";
}
