//! The kubeconfig model and its pure operations.
