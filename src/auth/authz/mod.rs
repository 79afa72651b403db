//! Authorization: RBAC and the parts of kube-apiserver's authorizer chain
//! around it.

pub mod rbac;
