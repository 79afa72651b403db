//! Who the API server thinks a request comes from.
//!
//! Upstream: `staging/src/k8s.io/apiserver/pkg/authentication/user/user.go`
//! (well-known names) and `pkg/serviceaccount/util.go` (ServiceAccount
//! user names and groups).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The anonymous user and the groups the server adds.
pub const ANONYMOUS: &str = "system:anonymous";
pub const ALL_AUTHENTICATED: &str = "system:authenticated";
pub const ALL_UNAUTHENTICATED: &str = "system:unauthenticated";
/// Members of this group bypass authorization.
pub const SYSTEM_PRIVILEGED_GROUP: &str = "system:masters";
pub const NODES_GROUP: &str = "system:nodes";
pub const NODE_USER_PREFIX: &str = "system:node:";

pub const SERVICE_ACCOUNT_USERNAME_PREFIX: &str = "system:serviceaccount:";
pub const SERVICE_ACCOUNT_GROUP_PREFIX: &str = "system:serviceaccounts:";
pub const ALL_SERVICE_ACCOUNTS_GROUP: &str = "system:serviceaccounts";

/// The `Extra` key of the credential's identifier (a certificate's
/// fingerprint, a token's JTI): upstream's `CredentialIDKey`.
pub const CREDENTIAL_ID_KEY: &str = "authentication.kubernetes.io/credential-id";

/// An authenticated identity, shaped like a SelfSubjectReview's
/// `status.userInfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserInfo {
    pub username: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub uid: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Vec<String>>,
}

impl UserInfo {
    pub fn new(
        username: impl Into<String>,
        groups: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        UserInfo {
            username: username.into(),
            groups: groups.into_iter().map(Into::into).collect(),
            ..UserInfo::default()
        }
    }

    /// The identity of a request that presented no credential.
    pub fn anonymous() -> Self {
        UserInfo::new(ANONYMOUS, [ALL_UNAUTHENTICATED])
    }

    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }

    /// Adds `system:authenticated`, as kube-apiserver does for every
    /// authenticated request (`AuthenticatedGroupAdder`): unless the user is
    /// already in it or is anonymous (in `system:unauthenticated`).
    pub fn with_authenticated_group(mut self) -> Self {
        let skip = self.username == ANONYMOUS
            || self.in_group(ALL_AUTHENTICATED)
            || self.in_group(ALL_UNAUTHENTICATED);
        if !skip {
            self.groups.push(ALL_AUTHENTICATED.to_string());
        }
        self
    }

    /// The namespace and name when this is a ServiceAccount's user.
    pub fn service_account(&self) -> Option<(&str, &str)> {
        split_service_account_username(&self.username)
    }
}

/// `system:serviceaccount:NS:NAME`.
pub fn service_account_username(namespace: &str, name: &str) -> String {
    format!("{SERVICE_ACCOUNT_USERNAME_PREFIX}{namespace}:{name}")
}

/// The groups every ServiceAccount of `namespace` is in.
pub fn service_account_groups(namespace: &str) -> Vec<String> {
    vec![
        ALL_SERVICE_ACCOUNTS_GROUP.to_string(),
        format!("{SERVICE_ACCOUNT_GROUP_PREFIX}{namespace}"),
    ]
}

/// Splits `system:serviceaccount:NS:NAME`; `None` for other names or when
/// a part is empty or holds a further colon.
pub fn split_service_account_username(username: &str) -> Option<(&str, &str)> {
    let rest = username.strip_prefix(SERVICE_ACCOUNT_USERNAME_PREFIX)?;
    let (namespace, name) = rest.split_once(':')?;
    if namespace.is_empty() || name.is_empty() || name.contains(':') {
        return None;
    }
    Some((namespace, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authenticated_group_is_added_once_and_never_to_anonymous() {
        let u = UserInfo::new("kfree", ["dev"]).with_authenticated_group();
        assert_eq!(u.groups, ["dev", ALL_AUTHENTICATED]);
        assert_eq!(u.clone().with_authenticated_group(), u);
        let a = UserInfo::anonymous().with_authenticated_group();
        assert_eq!(a.groups, [ALL_UNAUTHENTICATED]);
    }

    #[test]
    fn service_account_names_round_trip() {
        let name = service_account_username("test", "sa1");
        assert_eq!(name, "system:serviceaccount:test:sa1");
        assert_eq!(split_service_account_username(&name), Some(("test", "sa1")));
        for bad in [
            "system:serviceaccount:test",
            "system:serviceaccount::x",
            "system:serviceaccount:a:b:c",
            "kfree",
        ] {
            assert_eq!(split_service_account_username(bad), None, "{bad}");
        }
    }
}
