//! The Node authorizer (`--authorization-mode=Node`): what a kubelet
//! (`system:node:<name>` in group `system:nodes`) may read and write,
//! decided from a snapshot of the cluster's objects instead of informers.
//!
//! Upstream: `plugin/pkg/auth/authorizer/node/node_authorizer.go` (the
//! rules, with `AuthorizeNodeWithSelectors` on, as in v1.32+),
//! `graph.go` (vertices, destination edges, `AddPod`, `AddPV`,
//! `AddVolumeAttachment`, `AddResourceSlice`), `graph_populator.go` (only
//! pods bound to a node are added), `pkg/auth/nodeidentifier/default.go`
//! (who is a node), `VisitPodSecretNames`/`VisitPodConfigmapNames` in
//! `pkg/api/v1/pod/util.go`, `VisitPVSecretNames` in
//! `pkg/api/v1/persistentvolume/util.go`, `ephemeral.VolumeClaimName`
//! and `resourceclaim.Name` for claim names, and the `NodeRules()` of the
//! RBAC bootstrap policy (the `system:node` ClusterRole) for everything
//! the authorizer does not subdivide.
//!
//! ServiceAccount admission (`plugin/pkg/admission/serviceaccount/admission.go`)
//! changes a pod when it is created: an empty `serviceAccountName` becomes
//! `default`, a pod without `imagePullSecrets` gets its ServiceAccount's,
//! and unless `automountServiceAccountToken` is false (the pod's setting
//! first, then the ServiceAccount's) every container without a mount at
//! `/var/run/secrets/kubernetes.io/serviceaccount` gets the projected
//! `kube-api-access-*` volume, whose sources include the ConfigMap
//! `kube-root-ca.crt`; that is how every such pod's node may read it. A pod
//! given without `metadata.uid` is taken as sent (a manifest) and goes
//! through that admission here; a pod with a uid is taken as stored
//! (`kubectl get -o yaml`) and used as it is. A ServiceAccount that is not
//! among the objects counts as one with no settings.
//!
//! Deliberate gaps: PodCertificateRequests are not modelled (kauth has no
//! recording of their rules); the objects are a snapshot, so an object
//! given twice counts as its last copy, as the informers would leave it.
//!
//! The tests follow `TestAuthorizer` and `TestAuthorizerSharedResources`
//! in `node_authorizer_test.go` and `TestIndex`/`TestDeletePod` in
//! `graph_test.go`.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use super::Decision;
use super::rbac::{Attributes, PolicyRule, rule_allows};
use crate::user::{NODE_USER_PREFIX, NODES_GROUP, UserInfo};

/// The namespace of node Leases (`api.NamespaceNodeLease`).
pub const NODE_LEASE_NAMESPACE: &str = "kube-node-lease";
const TOKEN_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
const TOKEN_VOLUME_PREFIX: &str = "kube-api-access-";
const ROOT_CA_CONFIGMAP: &str = "kube-root-ca.crt";
const MIRROR_POD_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// The kinds of vertex in upstream's graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VertexType {
    ConfigMap,
    ResourceSlice,
    Node,
    Pod,
    Pvc,
    Pv,
    ResourceClaim,
    Secret,
    VolumeAttachment,
    ServiceAccount,
}

impl VertexType {
    /// Upstream's `vertexTypes` names.
    pub fn name(self) -> &'static str {
        match self {
            VertexType::ConfigMap => "configmap",
            VertexType::ResourceSlice => "resourceslice",
            VertexType::Node => "node",
            VertexType::Pod => "pod",
            VertexType::Pvc => "pvc",
            VertexType::Pv => "pv",
            VertexType::ResourceClaim => "resourceclaim",
            VertexType::Secret => "secret",
            VertexType::VolumeAttachment => "volumeattachment",
            VertexType::ServiceAccount => "serviceAccount",
        }
    }
}

type Key = (VertexType, String, String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Edge {
    to: usize,
    /// The node a destination edge leads to.
    destination: Option<usize>,
}

/// Upstream's graph: every edge points toward the nodes (pod -> node,
/// secret/configmap/pvc/serviceaccount/resourceclaim -> pod, pv -> pvc,
/// secret -> pv, volumeattachment/resourceslice -> node).
#[derive(Debug, Clone, Default)]
pub struct NodeGraph {
    ids: HashMap<Key, usize>,
    keys: Vec<Key>,
    edges: Vec<HashSet<Edge>>,
    /// Kinds given but not used by the graph, with a count.
    pub skipped: BTreeMap<String, usize>,
}

/// An object the graph cannot read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GraphError {
    #[error("object {index} ({kind} {name:?}): `{field}` must be {expected}, not {found}")]
    Field {
        /// 0-based position among the objects (after `List` items are
        /// flattened).
        index: usize,
        kind: String,
        name: String,
        field: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("object {index} is not an object")]
    NotObject { index: usize },
    #[error("the objects are not valid YAML or JSON")]
    Syntax(#[source] kauth_formats::yaml::SyntaxError),
}

/// Reads fields of one object, naming it in errors.
struct Reader<'a> {
    index: usize,
    kind: &'a str,
    name: &'a str,
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Reader<'_> {
    fn err(&self, field: &str, expected: &'static str, v: &Value) -> GraphError {
        GraphError::Field {
            index: self.index,
            kind: self.kind.to_string(),
            name: self.name.to_string(),
            field: if field.is_empty() {
                "(a list item)".to_string()
            } else {
                field.to_string()
            },
            expected,
            found: json_kind(v),
        }
    }

    /// A field by path: missing or null is `None`.
    fn get<'v>(&self, v: &'v Value, path: &str) -> Result<Option<&'v Value>, GraphError> {
        let mut cur = v;
        let mut at = String::new();
        for part in path.split('.') {
            match cur {
                Value::Object(m) => match m.get(part) {
                    None | Some(Value::Null) => return Ok(None),
                    Some(next) => cur = next,
                },
                other => return Err(self.err(&at, "an object", other)),
            }
            if !at.is_empty() {
                at.push('.');
            }
            at.push_str(part);
        }
        Ok(Some(cur))
    }

    fn str<'v>(&self, v: &'v Value, path: &str) -> Result<&'v str, GraphError> {
        match self.get(v, path)? {
            None => Ok(""),
            Some(Value::String(s)) => Ok(s),
            Some(other) => Err(self.err(path, "a string", other)),
        }
    }

    fn present(&self, v: &Value, path: &str) -> Result<bool, GraphError> {
        Ok(self.get(v, path)?.is_some())
    }

    fn bool(&self, v: &Value, path: &str) -> Result<Option<bool>, GraphError> {
        match self.get(v, path)? {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.err(path, "a bool", other)),
        }
    }

    fn list<'v>(&self, v: &'v Value, path: &str) -> Result<&'v [Value], GraphError> {
        match self.get(v, path)? {
            None => Ok(&[]),
            Some(Value::Array(a)) => Ok(a),
            Some(other) => Err(self.err(path, "an array", other)),
        }
    }
}

/// What ServiceAccount admission reads of a ServiceAccount.
#[derive(Default, Clone)]
struct ServiceAccount {
    automount: Option<bool>,
    image_pull_secrets: Vec<String>,
}

impl NodeGraph {
    /// Reads JSON or YAML text: one object, a multi-document stream, or
    /// `List` kinds (`kubectl get -o yaml`).
    pub fn from_text(text: &str) -> Result<NodeGraph, GraphError> {
        let docs = kauth_formats::yaml::parse_documents(text).map_err(GraphError::Syntax)?;
        let values: Vec<Value> = docs.iter().map(kauth_formats::yaml::to_json).collect();
        NodeGraph::from_objects(&values)
    }

    /// Builds the graph from objects (Pods, PersistentVolumes,
    /// ServiceAccounts, VolumeAttachments, ResourceSlices; `List` items
    /// are read; other kinds are counted in `skipped`).
    pub fn from_objects(objects: &[Value]) -> Result<NodeGraph, GraphError> {
        let mut flat = Vec::new();
        flatten(objects, &mut flat);
        // The last copy of each object wins, as informers would keep it.
        let mut latest: BTreeMap<(String, String, String), usize> = BTreeMap::new();
        let mut g = NodeGraph::default();
        for (index, v) in flat.iter().enumerate() {
            let Value::Object(_) = v else {
                return Err(GraphError::NotObject { index });
            };
            let kind = v["kind"].as_str().unwrap_or("");
            let r = Reader {
                index,
                kind,
                name: "",
            };
            let name = r.str(v, "metadata.name")?;
            let namespace = r.str(v, "metadata.namespace")?;
            match kind {
                "Pod" | "PersistentVolume" | "ServiceAccount" | "VolumeAttachment"
                | "ResourceSlice" => {
                    latest.insert((kind.into(), namespace.into(), name.into()), index);
                }
                other => *g.skipped.entry(other.to_string()).or_default() += 1,
            }
        }
        let mut service_accounts: HashMap<(String, String), ServiceAccount> = HashMap::new();
        for ((kind, ns, name), &index) in &latest {
            if kind != "ServiceAccount" {
                continue;
            }
            let v = &flat[index];
            let r = Reader { index, kind, name };
            let mut sa = ServiceAccount {
                automount: r.bool(v, "automountServiceAccountToken")?,
                ..ServiceAccount::default()
            };
            for s in r.list(v, "imagePullSecrets")? {
                sa.image_pull_secrets.push(r.str(s, "name")?.to_string());
            }
            service_accounts.insert((namespace_or_default(ns), name.clone()), sa);
        }
        for ((kind, _, name), &index) in &latest {
            let v = &flat[index];
            let r = Reader { index, kind, name };
            match kind.as_str() {
                "Pod" => g.add_pod(&r, v, &service_accounts)?,
                "PersistentVolume" => g.add_pv(&r, v)?,
                "VolumeAttachment" | "ResourceSlice" => {
                    let node = r.str(v, "spec.nodeName")?;
                    if !node.is_empty() {
                        let ty = if kind == "VolumeAttachment" {
                            VertexType::VolumeAttachment
                        } else {
                            VertexType::ResourceSlice
                        };
                        let from = g.vertex(ty, "", name);
                        let to = g.vertex(VertexType::Node, "", node);
                        g.edge(from, to, Some(to));
                    }
                }
                _ => {}
            }
        }
        Ok(g)
    }

    fn vertex(&mut self, ty: VertexType, namespace: &str, name: &str) -> usize {
        let key = (ty, namespace.to_string(), name.to_string());
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = self.keys.len();
        self.ids.insert(key.clone(), id);
        self.keys.push(key);
        self.edges.push(HashSet::new());
        id
    }

    fn edge(&mut self, from: usize, to: usize, destination: Option<usize>) {
        self.edges[from].insert(Edge { to, destination });
    }

    fn find(&self, ty: VertexType, namespace: &str, name: &str) -> Option<usize> {
        self.ids
            .get(&(ty, namespace.to_string(), name.to_string()))
            .copied()
    }

    /// Whether the object is in the graph (referenced by something bound
    /// to a node).
    pub fn contains(&self, ty: VertexType, namespace: &str, name: &str) -> bool {
        self.find(ty, namespace, name).is_some()
    }

    /// Upstream's `AddPod`, after ServiceAccount admission when the pod is
    /// as sent.
    fn add_pod(
        &mut self,
        r: &Reader,
        pod: &Value,
        service_accounts: &HashMap<(String, String), ServiceAccount>,
    ) -> Result<(), GraphError> {
        let node_name = r.str(pod, "spec.nodeName")?;
        if node_name.is_empty() {
            // graph_populator: no node assigned, not in the graph.
            return Ok(());
        }
        let ns = namespace_or_default(r.str(pod, "metadata.namespace")?);
        let name = r.str(pod, "metadata.name")?;
        let pod_v = self.vertex(VertexType::Pod, &ns, name);
        let node_v = self.vertex(VertexType::Node, "", node_name);
        self.edge(pod_v, node_v, Some(node_v));
        // A mirror pod grants nothing beyond itself (upstream's defence in
        // depth): the annotation's presence is enough.
        if pod
            .pointer("/metadata/annotations")
            .and_then(Value::as_object)
            .is_some_and(|a| a.contains_key(MIRROR_POD_ANNOTATION))
        {
            return Ok(());
        }
        let admitted = r.present(pod, "metadata.uid")?;
        let mut sa_name = r.str(pod, "spec.serviceAccountName")?.to_string();
        let mut secrets = pod_secret_names(r, pod)?;
        let mut configmaps = pod_configmap_names(r, pod)?;
        if !admitted {
            if sa_name.is_empty() {
                sa_name = "default".into();
            }
            let sa = service_accounts
                .get(&(ns.clone(), sa_name.clone()))
                .cloned()
                .unwrap_or_default();
            let automount = r
                .bool(pod, "spec.automountServiceAccountToken")?
                .or(sa.automount)
                .unwrap_or(true);
            if automount && needs_token_volume(r, pod)? {
                configmaps.push(ROOT_CA_CONFIGMAP.into());
            }
            if r.list(pod, "spec.imagePullSecrets")?.is_empty() {
                secrets.extend(
                    sa.image_pull_secrets
                        .iter()
                        .filter(|s| !s.is_empty())
                        .cloned(),
                );
            }
        }
        if !sa_name.is_empty() {
            let v = self.vertex(VertexType::ServiceAccount, &ns, &sa_name);
            self.edge(v, pod_v, Some(node_v));
        }
        for s in secrets {
            let v = self.vertex(VertexType::Secret, &ns, &s);
            self.edge(v, pod_v, Some(node_v));
        }
        for c in configmaps {
            let v = self.vertex(VertexType::ConfigMap, &ns, &c);
            self.edge(v, pod_v, Some(node_v));
        }
        for vol in r.list(pod, "spec.volumes")? {
            let claim = if r.present(vol, "persistentVolumeClaim")? {
                r.str(vol, "persistentVolumeClaim.claimName")?.to_string()
            } else if r.present(vol, "ephemeral")? {
                // ephemeral.VolumeClaimName: <pod>-<volume>.
                format!("{name}-{}", r.str(vol, "name")?)
            } else {
                String::new()
            };
            if !claim.is_empty() {
                let v = self.vertex(VertexType::Pvc, &ns, &claim);
                self.edge(v, pod_v, Some(node_v));
            }
        }
        for claim in r.list(pod, "spec.resourceClaims")? {
            if let Some(c) = resource_claim_name(r, pod, claim)? {
                let v = self.vertex(VertexType::ResourceClaim, &ns, &c);
                self.edge(v, pod_v, Some(node_v));
            }
        }
        let extended = r.str(pod, "status.extendedResourceClaimStatus.resourceClaimName")?;
        if !extended.is_empty() {
            let v = self.vertex(VertexType::ResourceClaim, &ns, extended);
            self.edge(v, pod_v, Some(node_v));
        }
        Ok(())
    }

    /// Upstream's `AddPV`: only a PV with a `claimRef` is in the graph.
    fn add_pv(&mut self, r: &Reader, pv: &Value) -> Result<(), GraphError> {
        if !r.present(pv, "spec.claimRef")? {
            return Ok(());
        }
        let name = r.str(pv, "metadata.name")?;
        let pv_v = self.vertex(VertexType::Pv, "", name);
        let claim_ns = r.str(pv, "spec.claimRef.namespace")?;
        let claim = r.str(pv, "spec.claimRef.name")?;
        let pvc_v = self.vertex(VertexType::Pvc, claim_ns, claim);
        self.edge(pv_v, pvc_v, None);
        for (ns, secret) in pv_secret_names(r, pv, claim_ns)? {
            let v = self.vertex(VertexType::Secret, &ns, &secret);
            self.edge(v, pv_v, None);
        }
        Ok(())
    }

    /// Upstream's `hasPathFrom`: a path from the object to the node that
    /// follows no destination edge leading to another node.
    pub fn has_path(&self, node: &str, ty: VertexType, namespace: &str, name: &str) -> bool {
        let (Some(node_v), Some(start)) = (
            self.find(VertexType::Node, "", node),
            self.find(ty, namespace, name),
        ) else {
            return false;
        };
        let mut seen = vec![false; self.keys.len()];
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(v) = stack.pop() {
            if v == node_v {
                return true;
            }
            for e in &self.edges[v] {
                match e.destination {
                    Some(d) if d != node_v => continue,
                    Some(_) => return true,
                    None => {}
                }
                if !seen[e.to] {
                    seen[e.to] = true;
                    stack.push(e.to);
                }
            }
        }
        false
    }
}

fn namespace_or_default(ns: &str) -> String {
    if ns.is_empty() { "default" } else { ns }.to_string()
}

fn flatten<'a>(values: &'a [Value], out: &mut Vec<&'a Value>) {
    for v in values {
        let is_list = v["kind"].as_str().is_some_and(|k| k.ends_with("List"));
        match v.get("items") {
            Some(Value::Array(items)) if is_list => flatten(items, out),
            _ => out.push(v),
        }
    }
}

/// Init, regular and ephemeral containers, in that order.
fn containers<'v>(r: &Reader, pod: &'v Value) -> Result<Vec<&'v Value>, GraphError> {
    let mut out = Vec::new();
    for field in [
        "spec.initContainers",
        "spec.containers",
        "spec.ephemeralContainers",
    ] {
        out.extend(r.list(pod, field)?);
    }
    Ok(out)
}

/// `VisitPodSecretNames`, empty names skipped.
fn pod_secret_names(r: &Reader, pod: &Value) -> Result<Vec<String>, GraphError> {
    let mut out = Vec::new();
    for s in r.list(pod, "spec.imagePullSecrets")? {
        out.push(r.str(s, "name")?.to_string());
    }
    for c in containers(r, pod)? {
        for e in r.list(c, "envFrom")? {
            if r.present(e, "secretRef")? {
                out.push(r.str(e, "secretRef.name")?.to_string());
            }
        }
        for e in r.list(c, "env")? {
            if r.present(e, "valueFrom.secretKeyRef")? {
                out.push(r.str(e, "valueFrom.secretKeyRef.name")?.to_string());
            }
        }
    }
    // The first source the volume has, in upstream's switch order.
    const SOURCES: [(&str, &str); 11] = [
        ("azureFile", "azureFile.secretName"),
        ("cephfs", "cephfs.secretRef.name"),
        ("cinder", "cinder.secretRef.name"),
        ("flexVolume", "flexVolume.secretRef.name"),
        ("projected", ""),
        ("rbd", "rbd.secretRef.name"),
        ("secret", "secret.secretName"),
        ("scaleIO", "scaleIO.secretRef.name"),
        ("iscsi", "iscsi.secretRef.name"),
        ("storageos", "storageos.secretRef.name"),
        ("csi", "csi.nodePublishSecretRef.name"),
    ];
    for vol in r.list(pod, "spec.volumes")? {
        for (source, name) in SOURCES {
            if !r.present(vol, source)? {
                continue;
            }
            if source == "projected" {
                for p in r.list(vol, "projected.sources")? {
                    if r.present(p, "secret")? {
                        out.push(r.str(p, "secret.name")?.to_string());
                    }
                }
            } else {
                out.push(r.str(vol, name)?.to_string());
            }
            break;
        }
    }
    out.retain(|s| !s.is_empty());
    Ok(out)
}

/// `VisitPodConfigmapNames`, empty names skipped.
fn pod_configmap_names(r: &Reader, pod: &Value) -> Result<Vec<String>, GraphError> {
    let mut out = Vec::new();
    for c in containers(r, pod)? {
        for e in r.list(c, "envFrom")? {
            if r.present(e, "configMapRef")? {
                out.push(r.str(e, "configMapRef.name")?.to_string());
            }
        }
        for e in r.list(c, "env")? {
            if r.present(e, "valueFrom.configMapKeyRef")? {
                out.push(r.str(e, "valueFrom.configMapKeyRef.name")?.to_string());
            }
        }
    }
    for vol in r.list(pod, "spec.volumes")? {
        if r.present(vol, "projected")? {
            for p in r.list(vol, "projected.sources")? {
                if r.present(p, "configMap")? {
                    out.push(r.str(p, "configMap.name")?.to_string());
                }
            }
        } else if r.present(vol, "configMap")? {
            out.push(r.str(vol, "configMap.name")?.to_string());
        }
    }
    out.retain(|s| !s.is_empty());
    Ok(out)
}

/// ServiceAccount admission's `mountServiceAccountToken`: the volume is
/// added when there is no `kube-api-access-*` volume yet and some init or
/// regular container has no mount at the token path.
fn needs_token_volume(r: &Reader, pod: &Value) -> Result<bool, GraphError> {
    for vol in r.list(pod, "spec.volumes")? {
        if r.str(vol, "name")?.starts_with(TOKEN_VOLUME_PREFIX) {
            return Ok(false);
        }
    }
    let mut needs = false;
    for field in ["spec.initContainers", "spec.containers"] {
        for c in r.list(pod, field)? {
            let mut mounted = false;
            for m in r.list(c, "volumeMounts")? {
                if r.str(m, "mountPath")? == TOKEN_MOUNT_PATH {
                    mounted = true;
                }
            }
            needs |= !mounted;
        }
    }
    Ok(needs)
}

/// `resourceclaim.Name`: the claim's own name, or the one the pod's status
/// records for a claim made from a template (none yet: no claim).
fn resource_claim_name(
    r: &Reader,
    pod: &Value,
    claim: &Value,
) -> Result<Option<String>, GraphError> {
    if r.present(claim, "resourceClaimName")? {
        return Ok(Some(r.str(claim, "resourceClaimName")?.to_string()));
    }
    if r.present(claim, "resourceClaimTemplateName")? {
        let want = r.str(claim, "name")?;
        for status in r.list(pod, "status.resourceClaimStatuses")? {
            if r.str(status, "name")? == want {
                let name = r.str(status, "resourceClaimName")?;
                return Ok((!name.is_empty()).then(|| name.to_string()));
            }
        }
    }
    Ok(None)
}

/// `VisitPVSecretNames`, only the secrets the kubelet sees, empty names
/// skipped: the PV's first source in upstream's switch order. `claim_ns`
/// is where older PVs' secrets live when their reference names none.
fn pv_secret_names(
    r: &Reader,
    pv: &Value,
    claim_ns: &str,
) -> Result<Vec<(String, String)>, GraphError> {
    let spec = &pv["spec"];
    let mut out = Vec::new();
    let or_claim = |ns: &str| if ns.is_empty() { claim_ns } else { ns }.to_string();
    const SOURCES: [&str; 9] = [
        "azureFile",
        "cephfs",
        "cinder",
        "flexVolume",
        "rbd",
        "scaleIO",
        "iscsi",
        "storageos",
        "csi",
    ];
    let Some(source) = SOURCES
        .into_iter()
        .find(|s| !matches!(spec.get(*s), None | Some(Value::Null)))
    else {
        return Ok(out);
    };
    let at = |f: &str| format!("spec.{source}.{f}");
    match source {
        "azureFile" => {
            let ns = r.str(pv, &at("secretNamespace"))?;
            out.push((or_claim(ns), r.str(pv, &at("secretName"))?.to_string()));
        }
        "cinder" | "storageos" => {
            if r.present(pv, &at("secretRef"))? {
                out.push((
                    r.str(pv, &at("secretRef.namespace"))?.to_string(),
                    r.str(pv, &at("secretRef.name"))?.to_string(),
                ));
            }
        }
        "csi" => {
            // The controller's secrets are not the kubelet's.
            for field in [
                "nodePublishSecretRef",
                "nodeStageSecretRef",
                "nodeExpandSecretRef",
            ] {
                if r.present(pv, &at(field))? {
                    out.push((
                        r.str(pv, &at(&format!("{field}.namespace")))?.to_string(),
                        r.str(pv, &at(&format!("{field}.name")))?.to_string(),
                    ));
                }
            }
        }
        _ => {
            if r.present(pv, &at("secretRef"))? {
                let ns = r.str(pv, &at("secretRef.namespace"))?;
                out.push((or_claim(ns), r.str(pv, &at("secretRef.name"))?.to_string()));
            }
        }
    }
    out.retain(|(_, name)| !name.is_empty());
    Ok(out)
}

/// Upstream's `NodeIdentity`: the node name of a `system:node:<name>` user
/// in group `system:nodes` (possibly empty); `None` for anyone else.
pub fn node_identity(u: &UserInfo) -> Option<&str> {
    let name = u.username.strip_prefix(NODE_USER_PREFIX)?;
    u.in_group(NODES_GROUP).then_some(name)
}

/// The `Equals` terms (`=` or `==`) of a request's field selector, which
/// is all the Node authorizer reads of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldEquals(pub Vec<(String, String)>);

impl FieldEquals {
    /// From a raw selector (`spec.nodeName=n1`); one that does not parse
    /// gives no terms, as upstream ignores the parse error.
    pub fn parse(raw: &str) -> FieldEquals {
        match crate::request_info::field_selector_terms(raw) {
            Ok(terms) => FieldEquals(
                terms
                    .into_iter()
                    .filter(|(_, op, _)| *op != "!=")
                    .map(|(f, _, v)| (f, v))
                    .collect(),
            ),
            Err(_) => FieldEquals::default(),
        }
    }

    fn has(&self, field: &str, value: &str) -> bool {
        self.0.iter().any(|(f, v)| f == field && v == value)
    }
}

/// The Node authorizer over a graph of objects.
#[derive(Debug, Clone)]
pub struct NodeAuthorizer {
    graph: NodeGraph,
    rules: Vec<PolicyRule>,
}

impl NodeAuthorizer {
    /// With the bootstrap policy's `NodeRules()` (the `system:node`
    /// ClusterRole's rules) for the resources it does not subdivide.
    pub fn new(graph: NodeGraph) -> NodeAuthorizer {
        let policy = super::default_policy();
        let rules = policy
            .cluster_roles
            .get("system:node")
            .map(|r| r.rules.clone())
            .unwrap_or_default();
        NodeAuthorizer::with_rules(graph, rules)
    }

    pub fn with_rules(graph: NodeGraph, rules: Vec<PolicyRule>) -> NodeAuthorizer {
        NodeAuthorizer { graph, rules }
    }

    pub fn graph(&self) -> &NodeGraph {
        &self.graph
    }

    /// The decision for a request without a field selector (a
    /// SubjectAccessReview that gives none).
    pub fn authorize(&self, attrs: &Attributes) -> Decision {
        self.authorize_with_fields(attrs, &FieldEquals::default())
    }

    /// Upstream's `NodeAuthorizer.Authorize`; `fields` are the request's
    /// field selector terms (`FieldEquals::parse` of a real request's
    /// `fieldSelector`, or of a SubjectAccessReview's `rawSelector`).
    pub fn authorize_with_fields(&self, attrs: &Attributes, fields: &FieldEquals) -> Decision {
        let Some(node) = node_identity(&attrs.user) else {
            return Decision::no_opinion("");
        };
        if node.is_empty() {
            return Decision::no_opinion(format!(
                "unknown node for user {}",
                kauth_formats::gotemplate::quote(&attrs.user.username)
            ));
        }
        if attrs.is_resource_request {
            let decided = match (attrs.api_group.as_str(), attrs.resource.as_str()) {
                ("", "secrets") => Some(self.read_namespaced(node, VertexType::Secret, attrs)),
                ("", "configmaps") => {
                    Some(self.read_namespaced(node, VertexType::ConfigMap, attrs))
                }
                ("", "persistentvolumeclaims") if attrs.subresource == "status" => {
                    Some(self.status_update(node, VertexType::Pvc, attrs))
                }
                ("", "persistentvolumeclaims") => Some(self.get(node, VertexType::Pvc, attrs)),
                ("", "persistentvolumes") => Some(self.get(node, VertexType::Pv, attrs)),
                ("resource.k8s.io", "resourceclaims") => {
                    Some(self.get(node, VertexType::ResourceClaim, attrs))
                }
                ("storage.k8s.io", "volumeattachments") => {
                    Some(self.get(node, VertexType::VolumeAttachment, attrs))
                }
                ("", "serviceaccounts") => Some(self.create_token(node, attrs)),
                ("coordination.k8s.io", "leases") => Some(lease(node, attrs)),
                ("storage.k8s.io", "csinodes") => Some(csi_node(node, attrs)),
                ("resource.k8s.io", "resourceslices") => {
                    Some(self.resource_slice(node, attrs, fields))
                }
                ("", "nodes") => Some(node_object(node, attrs)),
                ("", "pods") => Some(self.pod(node, attrs, fields)),
                _ => None,
            };
            if let Some(d) = decided {
                return d;
            }
        }
        if self.rules.iter().any(|r| rule_allows(attrs, r)) {
            Decision::allow()
        } else {
            Decision::no_opinion("")
        }
    }

    fn status_update(&self, node: &str, ty: VertexType, a: &Attributes) -> Decision {
        if !matches!(a.verb.as_str(), "update" | "patch") {
            return Decision::no_opinion("can only get/update/patch this type");
        }
        if a.subresource != "status" {
            return Decision::no_opinion("can only update status subresource");
        }
        self.related(node, ty, a)
    }

    fn get(&self, node: &str, ty: VertexType, a: &Attributes) -> Decision {
        if a.verb != "get" {
            return Decision::no_opinion("can only get individual resources of this type");
        }
        if !a.subresource.is_empty() {
            return Decision::no_opinion("cannot get subresource");
        }
        self.related(node, ty, a)
    }

    fn read_namespaced(&self, node: &str, ty: VertexType, a: &Attributes) -> Decision {
        if !matches!(a.verb.as_str(), "get" | "list" | "watch") {
            return Decision::no_opinion("can only read resources of this type");
        }
        if !a.subresource.is_empty() {
            return Decision::no_opinion("cannot read subresource");
        }
        if a.namespace.is_empty() {
            return Decision::no_opinion("can only read namespaced object of this type");
        }
        self.related(node, ty, a)
    }

    /// Upstream's `authorize`: a name, and a path in the graph.
    fn related(&self, node: &str, ty: VertexType, a: &Attributes) -> Decision {
        if a.name.is_empty() {
            return Decision::no_opinion("No Object name found");
        }
        self.path(node, ty, a)
    }

    fn path(&self, node: &str, ty: VertexType, a: &Attributes) -> Decision {
        if self.graph.has_path(node, ty, &a.namespace, &a.name) {
            Decision::allow()
        } else {
            Decision::no_opinion(format!(
                "no relationship found between node '{node}' and this object"
            ))
        }
    }

    fn create_token(&self, node: &str, a: &Attributes) -> Decision {
        if a.verb != "create" || a.name.is_empty() {
            return Decision::no_opinion("can only create tokens for individual service accounts");
        }
        if a.subresource != "token" {
            return Decision::no_opinion("can only create token subresource of serviceaccount");
        }
        self.path(node, VertexType::ServiceAccount, a)
    }

    fn resource_slice(&self, node: &str, a: &Attributes, fields: &FieldEquals) -> Decision {
        if !a.subresource.is_empty() {
            return Decision::no_opinion("cannot authorize ResourceSlice subresources");
        }
        match a.verb.as_str() {
            "create" => Decision::allow(),
            "get" | "update" | "patch" | "delete" => {
                self.related(node, VertexType::ResourceSlice, a)
            }
            "watch" | "list" | "deletecollection" => {
                if fields.has("nodeName", node) {
                    Decision::allow()
                } else {
                    Decision::no_opinion(
                        "can only list/watch/deletecollection resourceslices with nodeName field selector",
                    )
                }
            }
            _ => Decision::no_opinion(
                "only the following verbs are allowed for a ResourceSlice: get, watch, list, create, update, patch, delete, deletecollection",
            ),
        }
    }

    fn pod(&self, node: &str, a: &Attributes, fields: &FieldEquals) -> Decision {
        match (a.subresource.as_str(), a.verb.as_str()) {
            ("", "get") => self.get(node, VertexType::Pod, a),
            ("", "list" | "watch") => {
                if fields.has("spec.nodeName", node) {
                    Decision::allow()
                } else if !a.name.is_empty() {
                    self.related(node, VertexType::Pod, a)
                } else {
                    Decision::no_opinion(
                        "can only list/watch pods with spec.nodeName field selector",
                    )
                }
            }
            // Mirror pods; NodeRestriction admission limits them.
            ("", "create" | "delete") => Decision::allow(),
            ("status", "update" | "patch") => Decision::allow(),
            ("eviction", "create") => Decision::allow(),
            _ => Decision::no_opinion(""),
        }
    }
}

fn lease(node: &str, a: &Attributes) -> Decision {
    if !matches!(
        a.verb.as_str(),
        "get" | "create" | "update" | "patch" | "delete"
    ) {
        return Decision::no_opinion("can only get, create, update, patch, or delete a node lease");
    }
    if a.namespace != NODE_LEASE_NAMESPACE {
        return Decision::no_opinion(format!(
            "can only access leases in the {} system namespace",
            kauth_formats::gotemplate::quote(NODE_LEASE_NAMESPACE)
        ));
    }
    if a.verb != "create" && a.name != node {
        return Decision::no_opinion(
            "can only access node lease with the same name as the requesting node",
        );
    }
    Decision::allow()
}

fn csi_node(node: &str, a: &Attributes) -> Decision {
    if !matches!(
        a.verb.as_str(),
        "get" | "create" | "update" | "patch" | "delete"
    ) {
        return Decision::no_opinion("can only get, create, update, patch, or delete a CSINode");
    }
    if !a.subresource.is_empty() {
        return Decision::no_opinion("cannot authorize CSINode subresources");
    }
    if a.verb != "create" && a.name != node {
        return Decision::no_opinion(
            "can only access CSINode with the same name as the requesting node",
        );
    }
    Decision::allow()
}

/// Upstream's `authorizeNode`: its own Node by name (even before it
/// exists), create/update/patch of any (NodeRestriction admission limits
/// those), status updates.
fn node_object(node: &str, a: &Attributes) -> Decision {
    match (a.subresource.as_str(), a.verb.as_str()) {
        ("", "create" | "update" | "patch") => Decision::allow(),
        ("", "get" | "list" | "watch") => {
            if a.name == node {
                Decision::allow()
            } else if a.name.is_empty() {
                Decision::no_opinion(format!(
                    "node '{node}' cannot read all nodes, only its own Node object"
                ))
            } else {
                Decision::no_opinion(format!(
                    "node '{node}' cannot read '{}', only its own Node object",
                    a.name
                ))
            }
        }
        ("status", "update" | "patch") => Decision::allow(),
        _ => Decision::no_opinion(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node_user(name: &str) -> UserInfo {
        UserInfo::new(format!("system:node:{name}"), [NODES_GROUP])
    }

    fn res(
        user: &UserInfo,
        verb: &str,
        group: &str,
        resource: &str,
        sub: &str,
        ns: &str,
        name: &str,
    ) -> Attributes {
        Attributes {
            user: user.clone(),
            verb: verb.into(),
            is_resource_request: true,
            namespace: ns.into(),
            api_group: group.into(),
            resource: resource.into(),
            subresource: sub.into(),
            name: name.into(),
            ..Attributes::default()
        }
    }

    /// A small cluster in the spirit of upstream's `generate` helper: one
    /// pod per node with a secret, a configmap and a PVC bound to a PV
    /// with a secret, and a VolumeAttachment and ResourceSlice per node.
    fn cluster() -> NodeGraph {
        let mut objects = Vec::new();
        for n in ["node0", "node1"] {
            objects.push(json!({"kind": "Pod", "metadata": {"name": format!("pod-{n}"), "namespace": "ns0", "uid": "u"},
                "spec": {"nodeName": n, "serviceAccountName": format!("svcacct-{n}"),
                    "containers": [{"name": "c", "env": [{"name": "E", "valueFrom": {"configMapKeyRef": {"name": format!("configmap-{n}"), "key": "k"}}}]}],
                    "resourceClaims": [{"name": "c", "resourceClaimName": format!("claim-{n}")}, {"name": "t", "resourceClaimTemplateName": "tmpl"}],
                    "volumes": [{"name": "s", "secret": {"secretName": format!("secret-{n}")}},
                                {"name": "p", "persistentVolumeClaim": {"claimName": format!("pvc-{n}")}}]},
                "status": {"resourceClaimStatuses": [{"name": "t", "resourceClaimName": format!("generated-{n}")}]}}));
            objects.push(json!({"kind": "PersistentVolume", "metadata": {"name": format!("pv-{n}")},
                "spec": {"claimRef": {"namespace": "ns0", "name": format!("pvc-{n}")},
                    "csi": {"driver": "d", "volumeHandle": "h",
                        "nodePublishSecretRef": {"namespace": "ns0", "name": format!("pv-secret-{n}")},
                        "controllerPublishSecretRef": {"namespace": "ns0", "name": format!("controller-secret-{n}")}}}}));
            objects.push(json!({"kind": "VolumeAttachment", "metadata": {"name": format!("attachment-{n}")}, "spec": {"nodeName": n}}));
            objects.push(json!({"kind": "ResourceSlice", "metadata": {"name": format!("slice-{n}")}, "spec": {"nodeName": n}}));
        }
        NodeGraph::from_objects(&[json!({"kind": "List", "items": objects})]).unwrap()
    }

    /// `TestAuthorizer` in upstream's `node_authorizer_test.go` (its
    /// rows for the kinds kauth reads), with the reasons.
    #[test]
    fn authorizer_follows_upstream() {
        let authz = NodeAuthorizer::new(cluster());
        let n0 = node_user("node0");
        let allowed = |a: Attributes| {
            let d = authz.authorize(&a);
            assert_eq!(d, Decision::allow(), "{a:?}");
        };
        let denied = |a: Attributes, reason: &str| {
            let d = authz.authorize(&a);
            assert_eq!(d, Decision::no_opinion(reason), "{a:?}");
        };
        let unrelated = "no relationship found between node 'node0' and this object";
        allowed(res(&n0, "get", "", "secrets", "", "ns0", "secret-node0"));
        allowed(res(&n0, "list", "", "secrets", "", "ns0", "secret-node0"));
        allowed(res(&n0, "watch", "", "secrets", "", "ns0", "secret-node0"));
        allowed(res(
            &n0,
            "get",
            "",
            "configmaps",
            "",
            "ns0",
            "configmap-node0",
        ));
        allowed(res(
            &n0,
            "get",
            "",
            "persistentvolumeclaims",
            "",
            "ns0",
            "pvc-node0",
        ));
        allowed(res(&n0, "get", "", "persistentvolumes", "", "", "pv-node0"));
        allowed(res(&n0, "get", "", "secrets", "", "ns0", "pv-secret-node0"));
        allowed(res(
            &n0,
            "get",
            "resource.k8s.io",
            "resourceclaims",
            "",
            "ns0",
            "claim-node0",
        ));
        allowed(res(
            &n0,
            "get",
            "resource.k8s.io",
            "resourceclaims",
            "",
            "ns0",
            "generated-node0",
        ));
        allowed(res(
            &n0,
            "get",
            "storage.k8s.io",
            "volumeattachments",
            "",
            "",
            "attachment-node0",
        ));
        allowed(res(
            &n0,
            "create",
            "",
            "serviceaccounts",
            "token",
            "ns0",
            "svcacct-node0",
        ));
        allowed(res(
            &n0,
            "update",
            "",
            "persistentvolumeclaims",
            "status",
            "ns0",
            "pvc-node0",
        ));
        denied(
            res(&n0, "get", "", "secrets", "", "ns0", "secret-node1"),
            unrelated,
        );
        denied(
            res(
                &n0,
                "get",
                "",
                "secrets",
                "",
                "ns0",
                "controller-secret-node0",
            ),
            unrelated,
        );
        denied(
            res(&n0, "get", "", "configmaps", "", "ns0", "configmap-node1"),
            unrelated,
        );
        denied(
            res(&n0, "get", "", "persistentvolumes", "", "", "pv-node1"),
            unrelated,
        );
        denied(
            res(
                &n0,
                "get",
                "storage.k8s.io",
                "volumeattachments",
                "",
                "",
                "attachment-node1",
            ),
            unrelated,
        );
        denied(
            res(
                &n0,
                "create",
                "",
                "serviceaccounts",
                "token",
                "ns0",
                "svcacct-node1",
            ),
            unrelated,
        );
        denied(
            res(&n0, "get", "", "secrets", "", "ns0", "missing"),
            unrelated,
        );
        denied(
            res(&n0, "list", "", "secrets", "", "ns0", ""),
            "No Object name found",
        );
        denied(
            res(&n0, "create", "", "secrets", "", "ns0", "x"),
            "can only read resources of this type",
        );
        denied(
            res(&n0, "get", "", "secrets", "status", "ns0", "secret-node0"),
            "cannot read subresource",
        );
        denied(
            res(&n0, "get", "", "secrets", "", "", "secret-node0"),
            "can only read namespaced object of this type",
        );
        denied(
            res(
                &n0,
                "update",
                "",
                "persistentvolumeclaims",
                "",
                "ns0",
                "pvc-node0",
            ),
            "can only get individual resources of this type",
        );
        denied(
            res(
                &n0,
                "get",
                "",
                "persistentvolumeclaims",
                "status",
                "ns0",
                "pvc-node0",
            ),
            "can only get/update/patch this type",
        );
        denied(
            res(
                &n0,
                "get",
                "",
                "persistentvolumes",
                "status",
                "",
                "pv-node0",
            ),
            "cannot get subresource",
        );
        denied(
            res(
                &n0,
                "get",
                "",
                "serviceaccounts",
                "token",
                "ns0",
                "svcacct-node0",
            ),
            "can only create tokens for individual service accounts",
        );
        denied(
            res(
                &n0,
                "create",
                "",
                "serviceaccounts",
                "",
                "ns0",
                "svcacct-node0",
            ),
            "can only create token subresource of serviceaccount",
        );
        // Leases and CSINodes: by name, create of any.
        let lease = |verb: &str, ns: &str, name: &str| {
            res(&n0, verb, "coordination.k8s.io", "leases", "", ns, name)
        };
        allowed(lease("get", NODE_LEASE_NAMESPACE, "node0"));
        allowed(lease("create", NODE_LEASE_NAMESPACE, ""));
        denied(
            lease("get", NODE_LEASE_NAMESPACE, "node1"),
            "can only access node lease with the same name as the requesting node",
        );
        denied(
            lease("list", NODE_LEASE_NAMESPACE, ""),
            "can only get, create, update, patch, or delete a node lease",
        );
        denied(
            lease("get", "default", "node0"),
            "can only access leases in the \"kube-node-lease\" system namespace",
        );
        let csi = |verb: &str, sub: &str, name: &str| {
            res(&n0, verb, "storage.k8s.io", "csinodes", sub, "", name)
        };
        allowed(csi("update", "", "node0"));
        allowed(csi("create", "", "anything"));
        denied(
            csi("get", "", "node1"),
            "can only access CSINode with the same name as the requesting node",
        );
        denied(
            csi("get", "status", "node0"),
            "cannot authorize CSINode subresources",
        );
        denied(
            csi("watch", "", "node0"),
            "can only get, create, update, patch, or delete a CSINode",
        );
        // ResourceSlices: the graph for one, the field selector for many.
        let slice = |verb: &str, name: &str| {
            res(&n0, verb, "resource.k8s.io", "resourceslices", "", "", name)
        };
        allowed(slice("create", ""));
        allowed(slice("delete", "slice-node0"));
        denied(slice("get", "slice-node1"), unrelated);
        let list = slice("list", "");
        assert_eq!(
            authz.authorize_with_fields(&list, &FieldEquals::parse("nodeName=node0")),
            Decision::allow()
        );
        assert_eq!(
            authz.authorize_with_fields(&list, &FieldEquals::parse("nodeName=node1")),
            Decision::no_opinion(
                "can only list/watch/deletecollection resourceslices with nodeName field selector"
            )
        );
        // Pods: own by name, list with spec.nodeName, writes NodeRestriction limits.
        let pods = |verb: &str, sub: &str, name: &str| res(&n0, verb, "", "pods", sub, "ns0", name);
        allowed(pods("get", "", "pod-node0"));
        denied(pods("get", "", "pod-node1"), unrelated);
        allowed(pods("watch", "", "pod-node0"));
        let all = pods("list", "", "");
        denied(
            all.clone(),
            "can only list/watch pods with spec.nodeName field selector",
        );
        assert!(
            authz
                .authorize_with_fields(&all, &FieldEquals::parse("spec.nodeName==node0"))
                .allowed()
        );
        assert!(
            !authz
                .authorize_with_fields(&all, &FieldEquals::parse("spec.nodeName!=node0"))
                .allowed()
        );
        assert!(
            !authz
                .authorize_with_fields(&all, &FieldEquals::parse("spec.nodeName=node0,bad"))
                .allowed()
        );
        allowed(pods("create", "", ""));
        allowed(pods("delete", "", "pod-node1"));
        allowed(pods("patch", "status", "pod-node1"));
        allowed(pods("create", "eviction", "pod-node1"));
        denied(pods("update", "", "pod-node0"), "");
        // Nodes: itself by name, even without a Node object.
        let nodes = |verb: &str, sub: &str, name: &str| res(&n0, verb, "", "nodes", sub, "", name);
        allowed(nodes("get", "", "node0"));
        allowed(nodes("update", "", "node1"));
        allowed(nodes("patch", "status", "node1"));
        denied(
            nodes("get", "", "node1"),
            "node 'node0' cannot read 'node1', only its own Node object",
        );
        denied(
            nodes("list", "", ""),
            "node 'node0' cannot read all nodes, only its own Node object",
        );
        denied(nodes("delete", "", "node0"), "");
        let n9 = node_user("node9");
        assert!(
            authz
                .authorize(&res(&n9, "get", "", "nodes", "", "", "node9"))
                .allowed()
        );
        // The bootstrap NodeRules for the rest.
        allowed(res(&n0, "create", "", "events", "", "ns0", ""));
        allowed(res(&n0, "list", "", "services", "", "", ""));
        denied(res(&n0, "list", "", "namespaces", "", "", ""), "");
    }

    /// Upstream's `NodeIdentity` (`nodeidentifier/default_test.go`):
    /// both the prefix and the group; an empty name is a node nobody knows.
    #[test]
    fn identities_that_are_not_nodes_have_no_opinion() {
        let authz = NodeAuthorizer::new(cluster());
        let secret = |u: UserInfo| res(&u, "get", "", "secrets", "", "ns0", "secret-node0");
        for u in [
            UserInfo::new("system:node:node0", ["system:authenticated"]),
            UserInfo::new("kubelet-node0", [NODES_GROUP]),
            UserInfo::new("System:Node:node0", [NODES_GROUP]),
        ] {
            assert_eq!(
                authz.authorize(&secret(u.clone())),
                Decision::no_opinion(""),
                "{u:?}"
            );
        }
        assert_eq!(
            authz.authorize(&secret(node_user(""))),
            Decision::no_opinion("unknown node for user \"system:node:\"")
        );
        assert_eq!(node_identity(&node_user("a:b")), Some("a:b"));
    }

    /// What ServiceAccount admission adds to a pod as sent, and what the
    /// graph leaves out (unbound and mirror pods), as `AddPod` and the
    /// populator do.
    #[test]
    fn admission_and_pod_edges() {
        let pod = |name: &str, extra: Value| {
            let mut p = json!({"kind": "Pod", "metadata": {"name": name, "namespace": "ns"},
                "spec": {"nodeName": "n1", "containers": [{"name": "c"}]}});
            if let (Value::Object(p), Value::Object(e)) = (&mut p, extra) {
                for (k, v) in e {
                    match (p.get_mut(&k), v) {
                        (Some(Value::Object(dst)), Value::Object(src)) => dst.extend(src),
                        (_, v) => {
                            p.insert(k, v);
                        }
                    }
                }
            }
            p
        };
        let objects = vec![
            pod("sent", json!({})),
            pod("stored", json!({"metadata": {"uid": "x"}})),
            pod(
                "no-automount",
                json!({"spec": {"nodeName": "n1", "automountServiceAccountToken": false, "containers": [{"name": "c"}]}}),
            ),
            pod(
                "sa-off",
                json!({"spec": {"nodeName": "n1", "serviceAccountName": "off", "containers": [{"name": "c"}]}}),
            ),
            pod(
                "own-mount",
                json!({"spec": {"nodeName": "n1", "serviceAccountName": "pull", "containers": [{"name": "c", "volumeMounts": [{"name": "v", "mountPath": TOKEN_MOUNT_PATH}]}]}}),
            ),
            pod(
                "mirror",
                json!({"metadata": {"annotations": {MIRROR_POD_ANNOTATION: ""}}, "spec": {"nodeName": "n1", "imagePullSecrets": [{"name": "mirror-secret"}], "containers": [{"name": "c"}]}}),
            ),
            pod(
                "eph",
                json!({"spec": {"nodeName": "n1", "volumes": [{"name": "scratch", "ephemeral": {"volumeClaimTemplate": {}}}], "containers": [{"name": "c"}]}}),
            ),
            json!({"kind": "Pod", "metadata": {"name": "unbound", "namespace": "ns"}, "spec": {"imagePullSecrets": [{"name": "unbound-secret"}]}}),
            json!({"kind": "ServiceAccount", "metadata": {"name": "off", "namespace": "ns"}, "automountServiceAccountToken": false}),
            json!({"kind": "ServiceAccount", "metadata": {"name": "pull", "namespace": "ns"}, "imagePullSecrets": [{"name": "sa-pull"}]}),
            json!({"kind": "ConfigMap", "metadata": {"name": "ignored", "namespace": "ns"}}),
        ];
        let g = NodeGraph::from_objects(&objects).unwrap();
        let reach = |ty, name: &str| g.has_path("n1", ty, "ns", name);
        assert!(reach(VertexType::ConfigMap, ROOT_CA_CONFIGMAP));
        assert!(reach(VertexType::ServiceAccount, "default"));
        assert!(reach(VertexType::Secret, "sa-pull"));
        assert!(reach(VertexType::Pvc, "eph-scratch"));
        assert!(!reach(VertexType::Secret, "mirror-secret"));
        assert!(!reach(VertexType::Secret, "unbound-secret"));
        assert!(!g.contains(VertexType::Pod, "ns", "unbound"));
        assert_eq!(g.skipped.get("ConfigMap"), Some(&1));
        // Only the pods that get the token volume bring kube-root-ca.crt.
        for (name, brings) in [
            ("sent", true),
            ("eph", true),
            ("stored", false),
            ("no-automount", false),
            ("sa-off", false),
            ("own-mount", false),
        ] {
            let only = NodeGraph::from_objects(&[
                objects
                    .iter()
                    .find(|o| o["metadata"]["name"] == name)
                    .unwrap()
                    .clone(),
                objects[8].clone(),
                objects[9].clone(),
            ])
            .unwrap();
            assert_eq!(
                only.has_path("n1", VertexType::ConfigMap, "ns", ROOT_CA_CONFIGMAP),
                brings,
                "{name}"
            );
        }
        // The last copy of an object wins.
        let moved = NodeGraph::from_objects(&[
            objects[0].clone(),
            pod("sent", json!({"spec": {"nodeName": "n2"}})),
        ])
        .unwrap();
        assert!(!moved.has_path("n1", VertexType::Pod, "ns", "sent"));
        assert!(moved.has_path("n2", VertexType::Pod, "ns", "sent"));
    }

    /// A path may not pass through another node's destination edge: a
    /// secret shared by pods on two nodes is reachable from both, a PV's
    /// secret only through its claim's pods (`TestAuthorizerSharedResources`).
    #[test]
    fn shared_resources_reach_every_node_that_uses_them() {
        let objects: Vec<Value> = ["n1", "n2"]
            .iter()
            .map(|n| json!({"kind": "Pod", "metadata": {"name": format!("p-{n}"), "namespace": "ns", "uid": "u"},
                "spec": {"nodeName": n, "volumes": [{"name": "s", "secret": {"secretName": "shared"}}]}}))
            .collect();
        let g = NodeGraph::from_objects(&objects).unwrap();
        assert!(g.has_path("n1", VertexType::Secret, "ns", "shared"));
        assert!(g.has_path("n2", VertexType::Secret, "ns", "shared"));
        assert!(!g.has_path("n1", VertexType::Pod, "ns", "p-n2"));
        assert!(!g.has_path("n3", VertexType::Secret, "ns", "shared"));
    }

    #[test]
    fn odd_objects_are_errors_naming_the_object_and_field() {
        let cases = [
            (
                json!({"kind": "Pod", "metadata": {"name": "p"}, "spec": {"nodeName": 7}}),
                "object 0 (Pod \"p\"): `spec.nodeName` must be a string, not a number",
            ),
            (
                json!({"kind": "Pod", "metadata": {"name": "p"}, "spec": {"nodeName": "n", "volumes": {}}}),
                "`spec.volumes` must be an array, not an object",
            ),
            (
                json!({"kind": "Pod", "metadata": {"name": "p"}, "spec": "x"}),
                "`spec` must be an object, not a string",
            ),
            (
                json!({"kind": "PersistentVolume", "metadata": {"name": "v"}, "spec": {"claimRef": {"name": ["x"]}}}),
                "`spec.claimRef.name` must be a string, not an array",
            ),
            (
                json!({"kind": "ServiceAccount", "metadata": {"name": "s"}, "automountServiceAccountToken": "no"}),
                "`automountServiceAccountToken` must be a bool",
            ),
            (
                json!({"kind": "Pod", "metadata": {"name": 1}}),
                "`metadata.name` must be a string",
            ),
        ];
        for (object, want) in cases {
            let err = NodeGraph::from_objects(std::slice::from_ref(&object)).unwrap_err();
            assert!(err.to_string().contains(want), "{object}: {err}");
        }
        assert_eq!(
            NodeGraph::from_objects(&[json!({"kind": "List", "items": [json!("text")]})])
                .unwrap_err(),
            GraphError::NotObject { index: 0 }
        );
        assert!(matches!(
            NodeGraph::from_text("a: [b"),
            Err(GraphError::Syntax(_))
        ));
        assert!(NodeGraph::from_text("").unwrap().keys.is_empty());
    }
}
