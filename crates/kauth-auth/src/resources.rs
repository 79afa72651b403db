//! The resources kube-apiserver serves (v1.36, default feature gates), for
//! reading `kubectl auth can-i` style arguments offline: `po`, `pod`,
//! `pods`, `deploy`, `deployments.apps`. A real cluster answers this with
//! discovery; kauth keeps the built-in types here, and `TYPE.GROUP` names
//! anything else.

/// One resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    pub plural: &'static str,
    pub singular: &'static str,
    pub short: &'static [&'static str],
    pub group: &'static str,
    pub namespaced: bool,
    pub subresources: &'static [&'static str],
}

const fn r(
    plural: &'static str,
    singular: &'static str,
    short: &'static [&'static str],
    group: &'static str,
    namespaced: bool,
    subresources: &'static [&'static str],
) -> Resource {
    Resource {
        plural,
        singular,
        short,
        group,
        namespaced,
        subresources,
    }
}

pub const BUILT_IN: &[Resource] = &[
    r(
        "pods",
        "pod",
        &["po"],
        "",
        true,
        &[
            "attach",
            "binding",
            "ephemeralcontainers",
            "eviction",
            "exec",
            "log",
            "portforward",
            "proxy",
            "resize",
            "status",
        ],
    ),
    r(
        "services",
        "service",
        &["svc"],
        "",
        true,
        &["proxy", "status"],
    ),
    r("endpoints", "endpoints", &["ep"], "", true, &[]),
    r("nodes", "node", &["no"], "", false, &["proxy", "status"]),
    r(
        "namespaces",
        "namespace",
        &["ns"],
        "",
        false,
        &["finalize", "status"],
    ),
    r("configmaps", "configmap", &["cm"], "", true, &[]),
    r("secrets", "secret", &[], "", true, &[]),
    r(
        "serviceaccounts",
        "serviceaccount",
        &["sa"],
        "",
        true,
        &["token"],
    ),
    r(
        "persistentvolumes",
        "persistentvolume",
        &["pv"],
        "",
        false,
        &["status"],
    ),
    r(
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        &["pvc"],
        "",
        true,
        &["status"],
    ),
    r("events", "event", &["ev"], "", true, &[]),
    r("limitranges", "limitrange", &["limits"], "", true, &[]),
    r(
        "resourcequotas",
        "resourcequota",
        &["quota"],
        "",
        true,
        &["status"],
    ),
    r(
        "replicationcontrollers",
        "replicationcontroller",
        &["rc"],
        "",
        true,
        &["scale", "status"],
    ),
    r("podtemplates", "podtemplate", &[], "", true, &[]),
    r(
        "componentstatuses",
        "componentstatus",
        &["cs"],
        "",
        false,
        &[],
    ),
    r("bindings", "binding", &[], "", true, &[]),
    r(
        "deployments",
        "deployment",
        &["deploy"],
        "apps",
        true,
        &["scale", "status"],
    ),
    r(
        "replicasets",
        "replicaset",
        &["rs"],
        "apps",
        true,
        &["scale", "status"],
    ),
    r(
        "statefulsets",
        "statefulset",
        &["sts"],
        "apps",
        true,
        &["scale", "status"],
    ),
    r(
        "daemonsets",
        "daemonset",
        &["ds"],
        "apps",
        true,
        &["status"],
    ),
    r(
        "controllerrevisions",
        "controllerrevision",
        &[],
        "apps",
        true,
        &[],
    ),
    r("jobs", "job", &[], "batch", true, &["status"]),
    r("cronjobs", "cronjob", &["cj"], "batch", true, &["status"]),
    r(
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        &["hpa"],
        "autoscaling",
        true,
        &["status"],
    ),
    r(
        "poddisruptionbudgets",
        "poddisruptionbudget",
        &["pdb"],
        "policy",
        true,
        &["status"],
    ),
    r(
        "ingresses",
        "ingress",
        &["ing"],
        "networking.k8s.io",
        true,
        &["status"],
    ),
    r(
        "ingressclasses",
        "ingressclass",
        &[],
        "networking.k8s.io",
        false,
        &[],
    ),
    r(
        "networkpolicies",
        "networkpolicy",
        &["netpol"],
        "networking.k8s.io",
        true,
        &[],
    ),
    r(
        "ipaddresses",
        "ipaddress",
        &["ip"],
        "networking.k8s.io",
        false,
        &[],
    ),
    r(
        "servicecidrs",
        "servicecidr",
        &[],
        "networking.k8s.io",
        false,
        &["status"],
    ),
    r("roles", "role", &[], "rbac.authorization.k8s.io", true, &[]),
    r(
        "rolebindings",
        "rolebinding",
        &[],
        "rbac.authorization.k8s.io",
        true,
        &[],
    ),
    r(
        "clusterroles",
        "clusterrole",
        &[],
        "rbac.authorization.k8s.io",
        false,
        &[],
    ),
    r(
        "clusterrolebindings",
        "clusterrolebinding",
        &[],
        "rbac.authorization.k8s.io",
        false,
        &[],
    ),
    r(
        "storageclasses",
        "storageclass",
        &["sc"],
        "storage.k8s.io",
        false,
        &[],
    ),
    r(
        "volumeattachments",
        "volumeattachment",
        &[],
        "storage.k8s.io",
        false,
        &["status"],
    ),
    r("csidrivers", "csidriver", &[], "storage.k8s.io", false, &[]),
    r("csinodes", "csinode", &[], "storage.k8s.io", false, &[]),
    r(
        "csistoragecapacities",
        "csistoragecapacity",
        &[],
        "storage.k8s.io",
        true,
        &[],
    ),
    r(
        "volumeattributesclasses",
        "volumeattributesclass",
        &["vac"],
        "storage.k8s.io",
        false,
        &[],
    ),
    r(
        "certificatesigningrequests",
        "certificatesigningrequest",
        &["csr"],
        "certificates.k8s.io",
        false,
        &["approval", "status"],
    ),
    r("leases", "lease", &[], "coordination.k8s.io", true, &[]),
    r(
        "endpointslices",
        "endpointslice",
        &[],
        "discovery.k8s.io",
        true,
        &[],
    ),
    r(
        "mutatingwebhookconfigurations",
        "mutatingwebhookconfiguration",
        &[],
        "admissionregistration.k8s.io",
        false,
        &[],
    ),
    r(
        "validatingwebhookconfigurations",
        "validatingwebhookconfiguration",
        &[],
        "admissionregistration.k8s.io",
        false,
        &[],
    ),
    r(
        "validatingadmissionpolicies",
        "validatingadmissionpolicy",
        &[],
        "admissionregistration.k8s.io",
        false,
        &["status"],
    ),
    r(
        "validatingadmissionpolicybindings",
        "validatingadmissionpolicybinding",
        &[],
        "admissionregistration.k8s.io",
        false,
        &[],
    ),
    r(
        "customresourcedefinitions",
        "customresourcedefinition",
        &["crd", "crds"],
        "apiextensions.k8s.io",
        false,
        &["status"],
    ),
    r(
        "apiservices",
        "apiservice",
        &[],
        "apiregistration.k8s.io",
        false,
        &["status"],
    ),
    r(
        "priorityclasses",
        "priorityclass",
        &["pc"],
        "scheduling.k8s.io",
        false,
        &[],
    ),
    r(
        "runtimeclasses",
        "runtimeclass",
        &[],
        "node.k8s.io",
        false,
        &[],
    ),
    r(
        "flowschemas",
        "flowschema",
        &[],
        "flowcontrol.apiserver.k8s.io",
        false,
        &["status"],
    ),
    r(
        "prioritylevelconfigurations",
        "prioritylevelconfiguration",
        &[],
        "flowcontrol.apiserver.k8s.io",
        false,
        &["status"],
    ),
    r(
        "tokenreviews",
        "tokenreview",
        &[],
        "authentication.k8s.io",
        false,
        &[],
    ),
    r(
        "selfsubjectreviews",
        "selfsubjectreview",
        &[],
        "authentication.k8s.io",
        false,
        &[],
    ),
    r(
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        &[],
        "authorization.k8s.io",
        false,
        &[],
    ),
    r(
        "selfsubjectrulesreviews",
        "selfsubjectrulesreview",
        &[],
        "authorization.k8s.io",
        false,
        &[],
    ),
    r(
        "subjectaccessreviews",
        "subjectaccessreview",
        &[],
        "authorization.k8s.io",
        false,
        &[],
    ),
    r(
        "localsubjectaccessreviews",
        "localsubjectaccessreview",
        &[],
        "authorization.k8s.io",
        true,
        &[],
    ),
    r(
        "resourceclaims",
        "resourceclaim",
        &[],
        "resource.k8s.io",
        true,
        &["status"],
    ),
    r(
        "resourceclaimtemplates",
        "resourceclaimtemplate",
        &[],
        "resource.k8s.io",
        true,
        &[],
    ),
    r(
        "deviceclasses",
        "deviceclass",
        &[],
        "resource.k8s.io",
        false,
        &[],
    ),
    r(
        "resourceslices",
        "resourceslice",
        &[],
        "resource.k8s.io",
        false,
        &[],
    ),
];

/// What `TYPE` means: a built-in resource, or a name taken as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub resource: String,
    pub group: String,
    /// `None` when kauth does not know the type.
    pub known: Option<Resource>,
}

/// Resolves `pods`, `pod`, `po`, `deployments.apps` or `widgets.example.com`
/// (case-insensitive, as kubectl's RESTMapper).
pub fn resolve(type_name: &str) -> Resolved {
    let t = type_name.to_ascii_lowercase();
    let matches = |res: &Resource, name: &str| {
        res.plural == name || res.singular == name || res.short.contains(&name)
    };
    if let Some(res) = BUILT_IN.iter().find(|res| matches(res, &t)) {
        return Resolved {
            resource: res.plural.to_string(),
            group: res.group.to_string(),
            known: Some(*res),
        };
    }
    if let Some((name, group)) = t.split_once('.') {
        if let Some(res) = BUILT_IN
            .iter()
            .find(|res| res.group == group && matches(res, name))
        {
            return Resolved {
                resource: res.plural.to_string(),
                group: res.group.to_string(),
                known: Some(*res),
            };
        }
        return Resolved {
            resource: name.to_string(),
            group: group.to_string(),
            known: None,
        };
    }
    Resolved {
        resource: t,
        group: String::new(),
        known: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_like_kubectl() {
        assert_eq!(resolve("po").resource, "pods");
        assert_eq!(resolve("Pod").resource, "pods");
        let d = resolve("deploy");
        assert_eq!(
            (d.resource.as_str(), d.group.as_str()),
            ("deployments", "apps")
        );
        let d = resolve("deployments.apps");
        assert_eq!(
            (d.resource.as_str(), d.group.as_str()),
            ("deployments", "apps")
        );
        let c = resolve("widgets.example.com");
        assert_eq!(
            (c.resource.as_str(), c.group.as_str(), c.known),
            ("widgets", "example.com", None)
        );
        assert!(!resolve("csr").known.unwrap().namespaced);
    }
}
