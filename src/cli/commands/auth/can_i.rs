//! `kauth auth can-i`: kubectl's syntax and answer, decided offline, with
//! the reason.

use clap::Args;

use super::{PolicyArgs, ServerArgs};
use crate::cli::connection::{ConnectionArgs, api_error, connect};
use crate::cli::output::{TabWriter, describe_user};
use crate::cli::{CliError, CliResult, GlobalArgs, error::EXIT_NO};
use kauth_auth::UserInfo;
use kauth_auth::authn::Verdict;
use kauth_auth::authz::abac::Abac;
use kauth_auth::authz::chain::{self, Answer, Authorizer, Verdict as Say};
use kauth_auth::authz::explain::{self, impersonated};
use kauth_auth::authz::node::{NodeAuthorizer, NodeGraph};
use kauth_auth::authz::rbac::{Attributes, Decision, Policy, PolicyRule};
use kauth_auth::authz::{self, Outcome};
use kauth_auth::resources;
use kauth_store::kubeconfig::{self, PathOptions};

#[derive(Debug, Args)]
pub struct CanIArgs {
    /// VERB, then TYPE, TYPE/NAME or a non-resource URL (/metrics)
    pub args: Vec<String>,
    /// The subresource (kubectl reads `pods/log` as the pod named `log`)
    #[arg(long)]
    pub subresource: Option<String>,
    /// All namespaces (cluster scope)
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,
    /// List what the user may do in the namespace
    #[arg(long)]
    pub list: bool,
    /// Print nothing; answer with the exit status only
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Decide offline with kauth's model of kube-apiserver (implied by --rbac)
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub server: ServerArgs,
}

/// The user to ask for: `--as`, else the identity of the credential.
pub fn subject(
    as_user: Option<&str>,
    as_groups: &[String],
    connection: &ConnectionArgs,
    server: &ServerArgs,
    global: &GlobalArgs,
) -> Result<UserInfo, CliError> {
    if let Some(name) = as_user {
        return Ok(impersonated(name, as_groups));
    }
    if !as_groups.is_empty() {
        return Err(CliError::new(
            "--as-group needs --as: requesting groups without impersonating a user",
        ));
    }
    let (cred, source) = super::credential(connection, global)?;
    match super::authenticate(&cred, server)? {
        Verdict::Authenticated { user, .. } | Verdict::Anonymous { user, .. } => Ok(user),
        Verdict::Unauthorized { reasons } => Err(CliError::new(format!(
            "{source} would be refused by the server (401): {}",
            reasons.join("; ")
        ))),
        Verdict::Unknown { reason } => {
            Err(CliError::new(format!("{source}: {reason}"))
                .hint("pass --as USER [--as-group GROUP]"))
        }
    }
}

pub fn run(args: CanIArgs, global: &GlobalArgs) -> CliResult {
    let offline = args.offline || !args.policy.rbac.is_empty() || args.policy.no_defaults;
    let (policy, user) = if offline {
        let policy = args.policy.load()?;
        let user = subject(
            args.connection.target.as_user.as_deref(),
            &args.connection.target.as_groups,
            &args.connection,
            &args.server,
            global,
        )?;
        (Some(policy), user)
    } else {
        (None, UserInfo::default())
    };
    let namespace = if args.all_namespaces {
        String::new()
    } else {
        global.namespace.clone().unwrap_or_else(|| {
            kubeconfig::context_namespace(
                &PathOptions::from_env(global.kubeconfig.as_deref()),
                global.context.as_deref(),
            )
        })
    };
    if args.list {
        return match &policy {
            Some(policy) => list(policy, &user, &namespace),
            None => list_online(&args, global, &namespace),
        };
    }
    let (verb, target) = match args.args.as_slice() {
        [verb, target] => (verb.clone(), target.clone()),
        [_] => {
            return Err(CliError::new(
                "you must specify two arguments: verb resource or verb resourcename",
            ));
        }
        _ => {
            return Err(CliError::new(
                "usage: kauth auth can-i VERB (TYPE | TYPE/NAME | /URL) [--subresource SUB]",
            ));
        }
    };
    let mut hint = None;
    let attrs = if target.starts_with('/') {
        Attributes {
            user,
            verb,
            path: target,
            ..Attributes::default()
        }
    } else {
        let (type_name, name) = target.split_once('/').unwrap_or((&target, ""));
        let r = resources::resolve(type_name);
        let mut ns = namespace;
        if let Some(known) = r.known {
            if !known.namespaced {
                ns.clear();
            }
            if args.subresource.is_none() && known.subresources.contains(&name) {
                hint = Some(format!(
                    "`{target}` asks about the {} named {name:?}, as kubectl reads it; for the subresource pass `{} --subresource {name}`",
                    known.singular, known.plural
                ));
            }
        }
        Attributes {
            user,
            verb,
            is_resource_request: true,
            namespace: ns,
            api_group: r.group,
            resource: r.resource,
            subresource: args.subresource.clone().unwrap_or_default(),
            name: name.to_string(),
            path: String::new(),
        }
    };
    let Some(policy) = policy else {
        return ask_server(&args, global, attrs, hint);
    };
    if let Some(settings) = args.server.apiserver.settings()?
        && let Some(answer) = decided_elsewhere(&settings, &args.server, &policy, &attrs)?
    {
        return answer_of_chain(answer, &args, &attrs);
    }
    let outcome = authz::authorize(&policy, &attrs);
    if !args.quiet {
        println!("{}", if outcome.allowed() { "yes" } else { "no" });
        explain(&policy, &attrs, &outcome);
        if let Some(h) = hint {
            eprintln!("hint: {h}");
        }
    }
    if outcome.allowed() {
        Ok(())
    } else {
        Err(CliError::new("").code(EXIT_NO).bare_quiet())
    }
}

/// The chain of `--authorization-mode`, when something other than RBAC
/// (or no authorizer at all) decides: `None` when RBAC does, so that its
/// explanation is printed. ABAC reads the server's policy file; Node the
/// `--objects` given (without them it decides nothing kauth can know).
fn decided_elsewhere(
    settings: &kauth_auth::apiserver::Settings,
    server: &ServerArgs,
    policy: &Policy,
    attrs: &Attributes,
) -> Result<Option<Answer>, CliError> {
    let modes = &settings.authorization_modes;
    let abac = match &settings.authorization_policy_file {
        Some(file) if modes.iter().any(|m| m == "ABAC") => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| CliError::new(format!("--authorization-policy-file {file}: {e}")))?;
            Some(Abac::parse(&text).map_err(|e| CliError::new(format!("{file}: {e}")))?)
        }
        _ => None,
    };
    let node = if modes.iter().any(|m| m == "Node") && !server.objects.is_empty() {
        let mut text = String::new();
        for (_, t) in server.object_texts()? {
            text.push_str("---\n");
            text.push_str(&t);
            text.push('\n');
        }
        let graph =
            NodeGraph::from_text(&text).map_err(|e| CliError::new(format!("--objects: {e}")))?;
        Some(NodeAuthorizer::new(graph))
    } else {
        None
    };
    let decide_abac = |a: &Attributes| {
        abac.as_ref()
            .map_or(Say::Undecided, |p| p.authorize(a).into())
    };
    // The Node authorizer has an opinion only about nodes.
    let decide_node = |a: &Attributes| match &node {
        Some(n) => n.authorize(a).into(),
        None if authz::is_node_identity(&a.user) => Say::Undecided,
        None => Say::NoOpinion(String::new()),
    };
    let other = |mode: &str| match mode {
        "Node" => Some(Authorizer::Other {
            name: "Node",
            decide: &decide_node,
        }),
        "ABAC" => Some(Authorizer::Other {
            name: "ABAC",
            decide: &decide_abac,
        }),
        _ => None,
    };
    let chain = match &settings.authorization_file {
        Some(file) => chain::for_file(file, policy, other),
        None => chain::for_modes(modes, policy, other),
    };
    let answer = chain::authorize(&chain, attrs);
    Ok(match &answer {
        Answer::Decided {
            by: "RBAC" | "system:masters",
            ..
        } => None,
        // RBAC's explanation, unless another authorizer said why it did not allow.
        Answer::NoOpinion { reason } if reason.is_empty() && modes.iter().any(|m| m == "RBAC") => {
            None
        }
        _ => Some(answer),
    })
}

fn answer_of_chain(answer: Answer, args: &CanIArgs, attrs: &Attributes) -> CliResult {
    match answer {
        Answer::Decided {
            by,
            allowed,
            reason,
        } => {
            if !args.quiet {
                println!("{}", if allowed { "yes" } else { "no" });
                eprintln!("kauth: for {}", describe_user(&attrs.user));
                let how = if allowed { "allowed" } else { "denied" };
                let why = if reason.is_empty() {
                    String::new()
                } else {
                    format!(": {reason}")
                };
                eprintln!("{how} by the {by} authorizer{why}");
            }
            if allowed {
                Ok(())
            } else {
                Err(CliError::new("").code(EXIT_NO).bare_quiet())
            }
        }
        Answer::NoOpinion { reason } => {
            if !args.quiet {
                println!("no");
                eprintln!(
                    "denied: no authorizer allowed it{}",
                    if reason.is_empty() {
                        String::new()
                    } else {
                        format!(" ({reason})")
                    }
                );
            }
            Err(CliError::new("").code(EXIT_NO).bare_quiet())
        }
        Answer::Unknown { by, name, .. } => Err(CliError::new(format!(
            "kauth cannot tell offline: the server's {by} authorizer{} decides this request before the authorizers kauth models",
            if name.is_empty() {
                String::new()
            } else {
                format!(" {name:?} (its match conditions let the request through)")
            }
        ))),
    }
}

fn rule_text(r: &PolicyRule) -> String {
    let mut parts = Vec::new();
    if !r.api_groups.is_empty() {
        parts.push(format!("apiGroups {:?}", r.api_groups));
    }
    if !r.resources.is_empty() {
        parts.push(format!("resources {:?}", r.resources));
    }
    if !r.resource_names.is_empty() {
        parts.push(format!("resourceNames {:?}", r.resource_names));
    }
    if !r.non_resource_urls.is_empty() {
        parts.push(format!("nonResourceURLs {:?}", r.non_resource_urls));
    }
    parts.push(format!("verbs {:?}", r.verbs));
    parts.join(", ")
}

fn explain(policy: &Policy, attrs: &Attributes, outcome: &Outcome) {
    eprintln!("kauth: for {}", describe_user(&attrs.user));
    match outcome {
        Outcome::Privileged => {
            eprintln!("allowed: the user is in system:masters, which bypasses authorization")
        }
        Outcome::Rbac(Decision::Allow { reason, grant }) => {
            eprintln!("allowed: {reason}");
            if let Some(g) = grant {
                eprintln!("  rule: {}", rule_text(&g.rule));
                if !g.binding.origin.is_empty() {
                    eprintln!("  from: {}", g.binding.origin);
                }
            }
        }
        Outcome::Rbac(Decision::NoOpinion { errors, .. }) => {
            eprintln!("denied: {}", attrs.forbidden_message());
            for e in errors {
                eprintln!("  RBAC: {e}");
            }
            if authz::is_node_identity(&attrs.user) {
                eprintln!(
                    "  note: {} is a node; kube-apiserver's Node authorizer may allow node-specific requests (kauth decides them with --apiserver and --objects)",
                    attrs.user.username
                );
            }
            let misses = explain::near_misses(policy, attrs);
            if !misses.is_empty() {
                eprintln!("near misses:");
                for m in misses {
                    eprintln!("  {}: {}", m.via, m.what);
                }
            }
            eprintln!("this would allow it:");
            for line in explain::suggestion(attrs).lines() {
                eprintln!("  {line}");
            }
        }
    }
}

fn list(policy: &Policy, user: &UserInfo, namespace: &str) -> CliResult {
    let mut rules: Vec<PolicyRule> = Vec::new();
    let mut errors = Vec::new();
    if user.in_group(kauth_auth::user::SYSTEM_PRIVILEGED_GROUP) {
        rules.push(PolicyRule {
            api_groups: vec!["*".into()],
            resources: vec!["*".into()],
            verbs: vec!["*".into()],
            ..PolicyRule::default()
        });
        rules.push(PolicyRule {
            non_resource_urls: vec!["*".into()],
            verbs: vec!["*".into()],
            ..PolicyRule::default()
        });
    }
    policy.visit_rules(
        user,
        namespace,
        |g| {
            if !rules.contains(g.rule) {
                rules.push(g.rule.clone());
            }
            true
        },
        &mut errors,
    );
    print_rules(&rules);
    for e in errors {
        eprintln!("warning: RBAC: {e}");
    }
    Ok(())
}

/// kubectl's `can-i --list` table.
fn print_rules(rules: &[PolicyRule]) {
    let mut table = TabWriter::kubectl();
    table.row(["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]);
    let fmt = |v: &[String]| format!("[{}]", v.join(" "));
    let mut rows: Vec<[String; 4]> = Vec::new();
    for r in rules {
        if !r.resources.is_empty() {
            for res in &r.resources {
                for g in if r.api_groups.is_empty() {
                    vec![String::new()]
                } else {
                    r.api_groups.clone()
                } {
                    let name = if g.is_empty() {
                        res.clone()
                    } else {
                        format!("{res}.{g}")
                    };
                    rows.push([name, "[]".into(), fmt(&r.resource_names), fmt(&r.verbs)]);
                }
            }
        }
        for url in &r.non_resource_urls {
            rows.push([
                String::new(),
                format!("[{url}]"),
                "[]".into(),
                fmt(&r.verbs),
            ]);
        }
    }
    rows.sort_by(|a, b| (a[0].is_empty(), &a[0], &a[1]).cmp(&(b[0].is_empty(), &b[0], &b[1])));
    rows.dedup();
    for row in rows {
        table.row(row);
    }
    print!("{}", table.render());
}

/// `--list` answered by the server (SelfSubjectRulesReview).
fn list_online(args: &CanIArgs, global: &GlobalArgs, namespace: &str) -> CliResult {
    let resolved = args.connection.resolve(global)?;
    let client = connect(&resolved)?;
    let review = client
        .self_subject_rules_review(namespace)
        .map_err(|e| api_error(&e))?;
    let mut rules = review.resource_rules;
    rules.extend(review.non_resource_rules);
    print_rules(&rules);
    if review.incomplete {
        eprintln!(
            "warning: the list may be incomplete: {}",
            if review.evaluation_error.is_empty() {
                "an authorizer cannot list its rules (webhook, Node)"
            } else {
                &review.evaluation_error
            }
        );
    }
    Ok(())
}

/// One question answered by the server (SelfSubjectAccessReview), in
/// kubectl's words, with kauth's suggestion when the answer is no.
fn ask_server(
    args: &CanIArgs,
    global: &GlobalArgs,
    mut attrs: Attributes,
    hint: Option<String>,
) -> CliResult {
    let resolved = args.connection.resolve(global)?;
    let client = connect(&resolved)?;
    let review = client
        .self_subject_access_review(&attrs)
        .map_err(|e| api_error(&e))?;
    if !args.quiet {
        if review.allowed {
            println!("yes");
        } else {
            let mut line = "no".to_string();
            for part in [&review.reason, &review.evaluation_error] {
                if !part.is_empty() {
                    line.push_str(&format!(" - {part}"));
                }
            }
            println!("{line}");
        }
        if review.allowed {
            if !review.reason.is_empty() {
                eprintln!("kauth: the server says: {}", review.reason);
            }
        } else if let Ok(user) = client.self_subject_review() {
            attrs.user = user;
            eprintln!(
                "kauth: the server denies it to {}",
                describe_user(&attrs.user)
            );
            eprintln!("this would allow it:");
            for line in explain::suggestion(&attrs).lines() {
                eprintln!("  {line}");
            }
        }
        if let Some(h) = hint {
            eprintln!("hint: {h}");
        }
    }
    if review.allowed {
        Ok(())
    } else {
        Err(CliError::new("").code(EXIT_NO).bare_quiet())
    }
}
