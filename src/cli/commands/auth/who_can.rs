//! `kauth auth who-can`: the subjects RBAC allows to do something.

use clap::Args;

use super::{ApiServerArgs, PolicyArgs};
use crate::cli::output::TabWriter;
use crate::cli::{CliError, CliResult, GlobalArgs};
use kauth_auth::authz::rbac::{Attributes, rule_allows};
use kauth_auth::resources;

#[derive(Debug, Args)]
pub struct WhoCanArgs {
    /// VERB, then TYPE, TYPE/NAME or a non-resource URL
    pub args: Vec<String>,
    /// The subresource
    #[arg(long)]
    pub subresource: Option<String>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub apiserver: ApiServerArgs,
}

/// The namespace comes from `-n` (cluster scope without it).
pub fn run(args: WhoCanArgs, global: &GlobalArgs) -> CliResult {
    let [verb, target] = args.args.as_slice() else {
        return Err(CliError::new(
            "usage: kauth auth who-can VERB (TYPE | TYPE/NAME | /URL) [-n NS] --rbac PATH",
        ));
    };
    let policy = args.policy.load()?;
    let namespace = global.namespace.clone().unwrap_or_default();
    let attrs = if target.starts_with('/') {
        Attributes {
            verb: verb.clone(),
            path: target.clone(),
            ..Attributes::default()
        }
    } else {
        let (type_name, name) = target.split_once('/').unwrap_or((target, ""));
        let r = resources::resolve(type_name);
        let cluster_scoped = r.known.is_some_and(|k| !k.namespaced);
        Attributes {
            verb: verb.clone(),
            is_resource_request: true,
            namespace: if cluster_scoped {
                String::new()
            } else {
                namespace.clone()
            },
            api_group: r.group,
            resource: r.resource,
            subresource: args.subresource.clone().unwrap_or_default(),
            name: name.to_string(),
            ..Attributes::default()
        }
    };
    let mut table = TabWriter::kubectl();
    table.row(["KIND", "NAME", "NAMESPACE", "BINDING", "ROLE"]);
    table.row(["Group", "system:masters", "", "(privileged group)", ""]);
    // With the server's configuration: the authorizers before and beside RBAC.
    let mut rbac = true;
    if let Some(settings) = args.apiserver.settings()? {
        rbac = settings.authorization_modes.iter().any(|m| m == "RBAC");
        for mode in &settings.authorization_modes {
            match mode.as_str() {
                "AlwaysAllow" => {
                    table.row([
                        "Group",
                        "system:authenticated",
                        "",
                        "(AlwaysAllow authorizer)",
                        "",
                    ]);
                    table.row([
                        "Group",
                        "system:unauthenticated",
                        "",
                        "(AlwaysAllow authorizer)",
                        "",
                    ]);
                }
                "ABAC" => {
                    let Some(file) = &settings.authorization_policy_file else {
                        continue;
                    };
                    let text = std::fs::read_to_string(file).map_err(|e| {
                        CliError::new(format!("--authorization-policy-file {file}: {e}"))
                    })?;
                    let abac = kauth_auth::authz::abac::Abac::parse(&text)
                        .map_err(|e| CliError::new(format!("{file}: {e}")))?;
                    for r in abac.rules_for_action(&attrs) {
                        let binding = format!("(ABAC policy line {})", r.line);
                        for (kind, name) in [("User", &r.spec.user), ("Group", &r.spec.group)] {
                            if !name.is_empty() {
                                table.row([
                                    kind.to_string(),
                                    name.clone(),
                                    String::new(),
                                    binding.clone(),
                                    String::new(),
                                ]);
                            }
                        }
                    }
                }
                "Node" => table.row([
                    "Group",
                    "system:nodes",
                    "",
                    "(Node authorizer: each node for what its pods use)",
                    "",
                ]),
                "Webhook" => eprintln!(
                    "kauth: the server also asks a webhook authorizer, which may allow others: kauth cannot list them"
                ),
                _ => {}
            }
        }
    }
    if !rbac {
        print!("{}", table.render());
        return Ok(());
    }
    let bindings = policy.cluster_bindings.iter().chain(
        policy
            .bindings
            .get(&attrs.namespace)
            .into_iter()
            .flatten()
            .filter(|_| !attrs.namespace.is_empty()),
    );
    for b in bindings {
        let Ok(rules) = policy.role_rules(b) else {
            continue;
        };
        if !rules.iter().any(|r| rule_allows(&attrs, r)) {
            continue;
        }
        for s in &b.subjects {
            let ns = if s.kind == "ServiceAccount" && s.namespace.is_empty() {
                &b.namespace
            } else {
                &s.namespace
            };
            // A ServiceAccount without a namespace in a ClusterRoleBinding
            // matches nobody.
            if s.kind == "ServiceAccount" && ns.is_empty() {
                continue;
            }
            let binding = if b.is_cluster() {
                format!("ClusterRoleBinding/{}", b.name)
            } else {
                format!("RoleBinding/{}", b.name)
            };
            table.row([
                s.kind.clone(),
                s.name.clone(),
                ns.clone(),
                binding,
                format!("{}/{}", b.role_ref.kind, b.role_ref.name),
            ]);
        }
    }
    print!("{}", table.render());
    Ok(())
}
