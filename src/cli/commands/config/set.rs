//! `set-cluster`, `set-credentials`, `set-context`, `set` and `unset`.
//!
//! Upstream: `set_cluster.go`, `set_credentials.go`, `set_context.go`,
//! `set.go`, `unset.go` in `staging/src/k8s.io/kubectl/pkg/cmd/config/`.

use clap::Args;

use super::{go_list, help_error, parse_bool};
use crate::cli::{CliError, CliResult, GlobalArgs};
use kauth_kubeconfig::edit::{self, ClusterEdit, ContextEdit, CredentialsEdit, FileValue};
use kauth_kubeconfig::paths;
use kauth_store::kubeconfig::{PathOptions, modify};

#[derive(Debug, Args)]
pub struct SetClusterArgs {
    #[arg(hide = true)]
    args: Vec<String>,
    /// server for the cluster entry in kubeconfig
    #[arg(long)]
    server: Option<String>,
    /// tls-server-name for the cluster entry in kubeconfig
    #[arg(long)]
    tls_server_name: Option<String>,
    /// insecure-skip-tls-verify for the cluster entry in kubeconfig
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = parse_bool)]
    insecure_skip_tls_verify: Option<bool>,
    /// Path to certificate-authority file for the cluster entry in kubeconfig
    #[arg(long, value_name = "FILE")]
    certificate_authority: Option<String>,
    /// embed-certs for the cluster entry in kubeconfig
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = parse_bool)]
    embed_certs: Option<bool>,
    /// proxy-url for the cluster entry in kubeconfig
    #[arg(long)]
    proxy_url: Option<String>,
}

/// Go's `os.Stat` error text, as kubectl prints it.
fn stat_error(path: &str) -> Option<String> {
    match std::fs::metadata(path) {
        Ok(_) => None,
        Err(e) => Some(format!("stat {path}: {}", super::view::io_reason(&e))),
    }
}

pub fn set_cluster(opts: &PathOptions, args: SetClusterArgs) -> CliResult {
    let [name] = args.args.as_slice() else {
        return Err(help_error(
            "set-cluster",
            format!("Unexpected args: {}", go_list(&args.args)),
        ));
    };
    if name.is_empty() {
        return Err(CliError::kubectl(
            "you must specify a non-empty cluster name",
        ));
    }
    let insecure = args.insecure_skip_tls_verify;
    if insecure == Some(true) && args.certificate_authority.is_some() {
        return Err(CliError::kubectl(
            "you cannot specify a certificate authority and insecure mode at the same time",
        ));
    }
    let embed = args.embed_certs.unwrap_or(false);
    let mut e = ClusterEdit {
        server: args.server,
        tls_server_name: args.tls_server_name,
        insecure_skip_tls_verify: insecure,
        proxy_url: args.proxy_url,
        ..ClusterEdit::default()
    };
    if let Some(ca) = &args.certificate_authority {
        if embed {
            if let Some(err) = stat_error(ca) {
                return Err(CliError::kubectl(format!(
                    "could not stat certificate-authority file {ca}: {err}"
                )));
            }
            e.embedded_ca = Some(std::fs::read(ca).unwrap_or_default());
        } else {
            e.certificate_authority = Some(paths::abs(&opts.cwd, ca));
        }
    } else if embed {
        return Err(CliError::kubectl(
            "you must specify a --certificate-authority to embed",
        ));
    }
    modify(opts, true, |config| {
        let cluster = config.clusters.remove(name).unwrap_or_default();
        config
            .clusters
            .insert(name.clone(), edit::modify_cluster(cluster, &e));
        Ok::<_, CliError>(())
    })?;
    println!("Cluster \"{name}\" set.");
    Ok(())
}

#[derive(Debug, Args)]
pub struct SetCredentialsArgs {
    #[arg(hide = true)]
    args: Vec<String>,
    /// Path to client-certificate file for the user entry in kubeconfig
    #[arg(long, value_name = "FILE")]
    client_certificate: Option<String>,
    /// Path to client-key file for the user entry in kubeconfig
    #[arg(long, value_name = "FILE")]
    client_key: Option<String>,
    /// token for the user entry in kubeconfig
    #[arg(long)]
    token: Option<String>,
    /// username for the user entry in kubeconfig
    #[arg(long)]
    username: Option<String>,
    /// password for the user entry in kubeconfig
    #[arg(long)]
    password: Option<String>,
    /// Auth provider for the user entry in kubeconfig
    #[arg(long)]
    auth_provider: Option<String>,
    /// 'key=value' arguments for the auth provider
    #[arg(long)]
    auth_provider_arg: Vec<String>,
    /// Command for the exec credential plugin for the user entry in kubeconfig
    #[arg(long)]
    exec_command: Option<String>,
    /// API version of the exec credential plugin for the user entry in kubeconfig
    #[arg(long)]
    exec_api_version: Option<String>,
    /// New arguments for the exec credential plugin command for the user entry in kubeconfig
    #[arg(long)]
    exec_arg: Vec<String>,
    /// 'key=value' environment values for the exec credential plugin
    #[arg(long)]
    exec_env: Vec<String>,
    /// InteractiveMode of the exec credentials plugin for the user entry in kubeconfig
    #[arg(long)]
    exec_interactive_mode: Option<String>,
    /// ProvideClusterInfo of the exec credentials plugin for the user entry in kubeconfig
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = parse_bool)]
    exec_provide_cluster_info: Option<bool>,
    /// Embed client cert/key for the user entry in kubeconfig
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = parse_bool)]
    embed_certs: Option<bool>,
}

/// pflag's `StringSlice`: every occurrence is read as one CSV record.
pub fn string_slice(values: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for value in values.iter().filter(|v| !v.is_empty()) {
        out.extend(kauth_formats::csv::read_line(value).map_err(|e| e.to_string())?);
    }
    Ok(out)
}

pub fn set_credentials(opts: &PathOptions, args: SetCredentialsArgs) -> CliResult {
    let slice_err = |flag: &str, value: &[String], e: String| {
        CliError::kubectl(format!(
            "invalid argument \"{}\" for \"--{flag}\" flag: {e}",
            value.last().cloned().unwrap_or_default()
        ))
    };
    let provider_args = string_slice(&args.auth_provider_arg)
        .map_err(|e| slice_err("auth-provider-arg", &args.auth_provider_arg, e))?;
    let exec_args =
        string_slice(&args.exec_arg).map_err(|e| slice_err("exec-arg", &args.exec_arg, e))?;
    let [name] = args.args.as_slice() else {
        super::print_help("set-credentials");
        return Err(CliError::kubectl(format!(
            "unexpected args: {}",
            go_list(&args.args)
        )));
    };
    let mut e = CredentialsEdit {
        token: args.token,
        username: args.username,
        password: args.password,
        auth_provider: args.auth_provider,
        exec_command: args.exec_command,
        exec_api_version: args.exec_api_version,
        exec_interactive_mode: args.exec_interactive_mode,
        exec_provide_cluster_info: args.exec_provide_cluster_info,
        ..CredentialsEdit::default()
    };
    if !provider_args.is_empty() {
        let (add, remove) = edit::parse_pairs(&provider_args, "auth-provider-arg")
            .map_err(|m| help_error("set-credentials", m))?;
        e.auth_provider_args = add;
        e.auth_provider_args_to_remove = remove;
    }
    if !exec_args.is_empty() {
        e.exec_args = Some(exec_args);
    }
    if !args.exec_env.is_empty() {
        let (add, remove) = edit::parse_pairs(&args.exec_env, "exec-env")
            .map_err(|m| help_error("set-credentials", m))?;
        e.exec_env = Some(add);
        e.exec_env_to_remove = remove;
    }
    // validate()
    if name.is_empty() {
        return Err(CliError::kubectl("you must specify a non-empty user name"));
    }
    let mut methods = Vec::new();
    if e.token.as_deref().is_some_and(|t| !t.is_empty()) {
        methods.push("--token");
    }
    if e.username.as_deref().is_some_and(|t| !t.is_empty())
        || e.password.as_deref().is_some_and(|t| !t.is_empty())
    {
        methods.push("--username/--password");
    }
    if methods.len() > 1 {
        return Err(CliError::kubectl(format!(
            "you cannot specify more than one authentication method at the same time: {}",
            methods.join(", ")
        )));
    }
    let embed = args.embed_certs.unwrap_or(false);
    let cert = args.client_certificate;
    let key = args.client_key;
    if embed {
        let (cert, key) = (cert.as_deref().unwrap_or(""), key.as_deref().unwrap_or(""));
        if cert.is_empty() && key.is_empty() {
            return Err(CliError::kubectl(
                "you must specify a --client-certificate or --client-key to embed",
            ));
        }
        for (flag, path) in [("client-certificate", cert), ("client-key", key)] {
            if !path.is_empty()
                && let Some(err) = stat_error(path)
            {
                return Err(CliError::kubectl(format!(
                    "could not stat {flag} file {path}: {err}"
                )));
            }
        }
    }
    if let Some(mode) = &e.exec_interactive_mode
        && !matches!(mode.as_str(), "IfAvailable" | "Never" | "Always")
    {
        return Err(CliError::kubectl(
            "invalid interactive mode type, can be only IfAvailable, Never, Always",
        ));
    }
    // kubectl ignores a file it cannot read when embedding (validate has
    // already checked that it exists).
    let file_value = |path: Option<String>| {
        path.map(|path| {
            if embed {
                FileValue::Embedded(std::fs::read(&path).unwrap_or_default())
            } else {
                FileValue::Path(paths::abs(&opts.cwd, &path))
            }
        })
    };
    e.client_certificate = file_value(cert);
    e.client_key = file_value(key);
    modify(opts, true, |config| {
        let user = config.auth_infos.remove(name).unwrap_or_default();
        config
            .auth_infos
            .insert(name.clone(), edit::modify_auth_info(user, &e));
        Ok::<_, CliError>(())
    })?;
    println!("User \"{name}\" set.");
    Ok(())
}

#[derive(Debug, Args)]
pub struct SetContextArgs {
    #[arg(hide = true)]
    args: Vec<String>,
    /// Modify the current context
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = parse_bool)]
    current: Option<bool>,
}

/// `--cluster`, `--user` and `--namespace` are kubectl's global flags
/// re-used as the context's fields, as kubectl's local flags shadow them.
pub fn set_context(opts: &PathOptions, global: &GlobalArgs, args: SetContextArgs) -> CliResult {
    if args.args.len() > 1 {
        return Err(help_error(
            "set-context",
            format!("Unexpected args: {}", go_list(&args.args)),
        ));
    }
    let given = args.args.first().cloned().unwrap_or_default();
    let current = args.current.unwrap_or(false);
    if given.is_empty() && !current {
        return Err(CliError::kubectl(
            "you must specify a non-empty context name or --current",
        ));
    }
    if !given.is_empty() && current {
        return Err(CliError::kubectl(
            "you cannot specify both a context name and --current",
        ));
    }
    let e = ContextEdit {
        cluster: global.cluster.clone(),
        user: global.user.clone(),
        namespace: global.namespace.clone(),
    };
    let (name, existed) = modify(opts, true, |config| {
        let name = if current {
            if config.current_context.is_empty() {
                return Err(CliError::kubectl("no current context is set"));
            }
            config.current_context.clone()
        } else {
            given.clone()
        };
        let existing = config.contexts.remove(&name);
        let existed = existing.is_some();
        let context = edit::modify_context(existing.unwrap_or_default(), &e);
        config.contexts.insert(name.clone(), context);
        Ok((name, existed))
    })?;
    if existed {
        println!("Context \"{name}\" modified.");
    } else {
        println!("Context \"{name}\" created.");
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct SetArgs {
    #[arg(hide = true)]
    args: Vec<String>,
    /// When writing a []byte PROPERTY_VALUE, write the given string directly without base64 decoding.
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = parse_bool)]
    set_raw_bytes: Option<bool>,
}

pub fn set(opts: &PathOptions, args: SetArgs) -> CliResult {
    let [property, value] = args.args.as_slice() else {
        return Err(help_error(
            "set",
            format!("Unexpected args: {}", go_list(&args.args)),
        ));
    };
    if value.is_empty() {
        return Err(CliError::kubectl("you cannot use set to unset a property"));
    }
    if property.is_empty() {
        return Err(CliError::kubectl("you must specify a property"));
    }
    let raw = args.set_raw_bytes.unwrap_or(false);
    modify(opts, false, |config| {
        edit::set_property(config, property, value, raw)
            .map_err(|e| CliError::kubectl(e.to_string()))
    })?;
    println!("Property \"{property}\" set.");
    Ok(())
}

#[derive(Debug, Args)]
pub struct UnsetArgs {
    #[arg(hide = true)]
    args: Vec<String>,
}

pub fn unset(opts: &PathOptions, args: UnsetArgs) -> CliResult {
    let [property] = args.args.as_slice() else {
        return Err(help_error(
            "unset",
            format!("Unexpected args: {}", go_list(&args.args)),
        ));
    };
    if property.is_empty() {
        return Err(CliError::kubectl("you must specify a property"));
    }
    modify(opts, false, |config| {
        edit::unset_property(config, property).map_err(|e| CliError::kubectl(e.to_string()))
    })?;
    println!("Property \"{property}\" unset.");
    Ok(())
}
