//! What is asked of an authorizer, and the text of a refusal.
//!
//! Upstream: `staging/src/k8s.io/apiserver/pkg/authorization/authorizer/interfaces.go`
//! (`Attributes`) and
//! `staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go`
//! (`forbiddenMessage`).

use crate::user::UserInfo;

/// What is asked: kube-apiserver's `authorizer.Attributes`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    pub user: UserInfo,
    pub verb: String,
    pub is_resource_request: bool,
    pub namespace: String,
    pub api_group: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    /// For non-resource requests.
    pub path: String,
}

impl Attributes {
    pub fn from_request(user: UserInfo, info: &crate::request_info::RequestInfo) -> Self {
        Attributes {
            user,
            verb: info.verb.clone(),
            is_resource_request: info.is_resource_request,
            namespace: info.namespace.clone(),
            api_group: info.api_group.clone(),
            resource: info.resource.clone(),
            subresource: info.subresource.clone(),
            name: info.name.clone(),
            path: info.path.clone(),
        }
    }

    /// `pods` or `pods/log`.
    pub fn combined_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }

    /// The text of a 403: upstream's `forbiddenMessage`.
    pub fn forbidden_message(&self) -> String {
        let user = &self.user.username;
        if !self.is_resource_request {
            return format!("User {user:?} cannot {} path {:?}", self.verb, self.path);
        }
        let resource = self.combined_resource();
        if self.namespace.is_empty() {
            format!(
                "User {user:?} cannot {} resource {resource:?} in API group {:?} at the cluster scope",
                self.verb, self.api_group
            )
        } else {
            format!(
                "User {user:?} cannot {} resource {resource:?} in API group {:?} in the namespace {:?}",
                self.verb, self.api_group, self.namespace
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{res, url};

    #[test]
    fn forbidden_messages_match_the_server() {
        let a = res("kfree", "dev", "list", "pods", "", "test");
        assert_eq!(
            a.forbidden_message(),
            "User \"kfree\" cannot list resource \"pods\" in API group \"\" in the namespace \"test\""
        );
        let a = res("kfree", "dev", "get", "nodes", "proxy", "");
        assert_eq!(
            a.forbidden_message(),
            "User \"kfree\" cannot get resource \"nodes/proxy\" in API group \"\" at the cluster scope"
        );
        let a = url("system:anonymous", "", "get", "/metrics");
        assert_eq!(
            a.forbidden_message(),
            "User \"system:anonymous\" cannot get path \"/metrics\""
        );
    }
}
