//! `kauth request`: one HTTP request to the API server (or a kubelet) with
//! any credential, and an explanation of a 401 or 403 from kauth's model
//! of the server.

use std::io::{IsTerminal, Write};

use clap::Args;
use serde_json::Value;

use crate::cli::connection::{ConnectionArgs, FrontProxyArgs, connect, send};
use crate::cli::output::describe_user;
use crate::cli::{CliError, CliResult, GlobalArgs, error::EXIT_NO};
use kauth_auth::authn::Verdict;
use kauth_auth::authz::explain;
use kauth_auth::authz::rbac::Attributes;
use kauth_auth::request_info;
use kauth_client::http::Response;

#[derive(Debug, Args)]
pub struct RequestArgs {
    /// [METHOD] PATH: GET by default (POST with -d)
    #[arg(num_args = 1..=2, required = true)]
    pub args: Vec<String>,
    /// A request body: @FILE, `-` for standard input, or the text itself
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub data: Option<String>,
    /// An extra header, `Name: value` (repeatable)
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub headers: Vec<String>,
    /// Print the status line and headers before the body
    #[arg(short = 'i', long = "include")]
    pub include: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub proxy: FrontProxyArgs,
    #[command(flatten)]
    pub apiserver: crate::cli::commands::auth::ApiServerArgs,
    /// Talk to a kubelet (HOST, HOST:PORT, an IPv6 address or [IPV6]:PORT; port 10250 by default)
    #[arg(long, value_name = "HOST")]
    pub kubelet: Option<String>,
    /// RBAC objects to explain a 403 with (near misses); repeatable
    #[arg(long = "rbac", value_name = "PATH")]
    pub rbac: Vec<std::path::PathBuf>,
}

pub fn run(args: RequestArgs, global: &GlobalArgs) -> CliResult {
    let (mut method, path) = match args.args.as_slice() {
        [path] => ("GET".to_string(), path.clone()),
        [m, path] => (m.to_ascii_uppercase(), path.clone()),
        _ => unreachable!("clap takes one or two"),
    };
    if !path.starts_with('/') {
        return Err(CliError::new(format!(
            "the path must start with `/`: {path:?}"
        )));
    }
    let body = match args.data.as_deref() {
        None => None,
        Some("-") => {
            Some(kauth_store::files::read_input("-").map_err(|e| CliError::from_error(&e))?)
        }
        Some(d) if d.starts_with('@') => {
            Some(kauth_store::files::read_input(&d[1..]).map_err(|e| CliError::from_error(&e))?)
        }
        Some(d) => Some(d.as_bytes().to_vec()),
    };
    if body.is_some() && args.args.len() == 1 {
        method = "POST".into();
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    for h in &args.headers {
        let (k, v) = h
            .split_once(':')
            .ok_or_else(|| CliError::new(format!("-H {h:?}: expected `Name: value`")))?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let has =
        |name: &str, hs: &[(String, String)]| hs.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    if !has("Accept", &headers) {
        headers.push(("Accept".into(), "application/json, */*".into()));
    }
    if body.is_some() && !has("Content-Type", &headers) {
        let ct = if method == "PATCH" {
            "application/merge-patch+json"
        } else {
            "application/json"
        };
        headers.push(("Content-Type".into(), ct.into()));
    }
    let mut connection = args.connection.clone();
    if let Some(cert) = &args.proxy.proxy_cert {
        // The proxy's certificate is the request's only credential.
        connection.credential = crate::cli::connection::CredentialFlags {
            cert: Some(cert.clone()),
            key: Some(
                args.proxy
                    .proxy_key
                    .clone()
                    .ok_or_else(|| CliError::new("--proxy-cert needs --proxy-key to connect"))?,
            ),
            token: None,
        };
        // A header given with -H wins over the one the flags make.
        let given = headers.clone();
        let names = kauth_auth::authn::request_header::ProxyHeaderNames::default();
        for (k, v) in args.proxy.headers(&names)? {
            if !has(&k, &given) {
                headers.push((k, v));
            }
        }
    }
    if let Some(k) = &args.kubelet {
        let host = kauth_auth::kubelet::authority(k)
            .map_err(|e| CliError::new(format!("--kubelet: {e}")))?;
        connection.target.server = Some(format!("https://{host}"));
    }
    let resolved = connection.resolve(global)?;
    let client = connect(&resolved)?;
    let response = send(&client, &method, &path, &headers, body.as_deref())?;
    print_response(&response, args.include);
    if args.kubelet.is_some() {
        eprintln!("kauth: {}", kauth_auth::kubelet::describe(&method, &path));
    }
    if response.status == 401 || response.status == 403 {
        let server = (args.kubelet.is_none()).then_some(&client);
        let verdict = predict(&args, &resolved, &headers)?;
        explain_refusal(
            &response, &method, &path, &resolved, &args.rbac, server, verdict,
        );
    }
    if (200..300).contains(&response.status) {
        Ok(())
    } else {
        Err(CliError::new("").code(EXIT_NO).bare_quiet())
    }
}

fn print_response(r: &Response, include: bool) {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if include {
        let _ = writeln!(out, "HTTP/1.1 {} {}", r.status, r.reason);
        for (k, v) in &r.headers {
            let _ = writeln!(out, "{k}: {v}");
        }
        let _ = writeln!(out);
    }
    let json = r.header("Content-Type").is_some_and(|t| t.contains("json"));
    if json
        && std::io::stdout().is_terminal()
        && let Ok(v) = serde_json::from_slice::<Value>(&r.body)
    {
        let _ = writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        );
        return;
    }
    let _ = out.write_all(&r.body);
}

/// kauth's prediction of who the request was: with `--apiserver`, by the
/// server's chain (the front proxy's headers included).
fn predict(
    args: &RequestArgs,
    resolved: &kauth_client::resolve::Resolved,
    headers: &[(String, String)],
) -> Result<Option<Verdict>, CliError> {
    let server = crate::cli::commands::auth::ServerArgs {
        apiserver: args.apiserver.clone(),
        ..Default::default()
    };
    let config = server.server_config()?;
    let now = time::OffsetDateTime::now_utc();
    Ok(match (&resolved.credential, args.proxy.given()) {
        (Some(c), true) => Some(crate::cli::commands::auth::authenticate_request(
            c, headers, &server,
        )?),
        _ => resolved.predict(&config, now),
    })
}

/// Explains a 401 or 403. `server` is the API server to ask who the
/// credential is (None for a kubelet).
fn explain_refusal(
    r: &Response,
    method: &str,
    path: &str,
    resolved: &kauth_client::resolve::Resolved,
    rbac: &[std::path::PathBuf],
    server: Option<&kauth_client::Client>,
    verdict: Option<Verdict>,
) {
    let message = kauth_client::api::status_message(&r.body);
    eprintln!(
        "kauth: {} {}: the server {} the {} of {}",
        r.status,
        r.reason,
        if r.status == 401 {
            "did not accept"
        } else {
            "accepted but refused to authorize"
        },
        resolved.credential_kind,
        if resolved.user.is_empty() {
            "(no kubeconfig user)".to_string()
        } else {
            format!("kubeconfig user {:?}", resolved.user)
        }
    );
    if !message.is_empty() {
        eprintln!("  server says: {message}");
    }
    if r.status == 401 {
        match &verdict {
            Some(Verdict::Unauthorized { reasons }) => {
                for reason in reasons {
                    eprintln!("  kauth sees why: {reason}");
                }
            }
            Some(Verdict::Authenticated { user, .. }) => eprintln!(
                "  kauth would expect {}; the server does not trust this credential: a certificate not signed by its --client-ca-file, an expired or revoked token, or a token for another cluster",
                describe_user(user)
            ),
            _ => eprintln!(
                "  a 401 means no authenticator accepted the credential; an invalid credential is never downgraded to anonymous"
            ),
        }
        return;
    }
    // The server's word for the identity (SelfSubjectReview), else kauth's.
    let predicted = verdict.as_ref().and_then(|v| v.user().cloned());
    let user = match server.map(|c| c.self_subject_review()) {
        Some(Ok(user)) => {
            eprintln!(
                "  as {} (the server's SelfSubjectReview)",
                describe_user(&user)
            );
            if let Some(p) = &predicted {
                for d in super::auth::differences(p, &user) {
                    eprintln!("  differs from kauth's prediction: {d}");
                }
            }
            user
        }
        _ => match predicted {
            Some(user) => {
                eprintln!("  as {} (kauth's prediction)", describe_user(&user));
                user
            }
            None => {
                eprintln!("  kauth cannot tell which user this credential makes offline");
                return;
            }
        },
    };
    if server.is_none() {
        return;
    }
    let (info, _) = request_info::parse(method, path);
    let attrs = Attributes::from_request(user, &info);
    eprintln!(
        "  request: verb {:?}, {}",
        attrs.verb,
        if attrs.is_resource_request {
            format!(
                "resource {:?} in API group {:?}{}",
                attrs.combined_resource(),
                attrs.api_group,
                if attrs.namespace.is_empty() {
                    " (cluster scope)".to_string()
                } else {
                    format!(" in namespace {:?}", attrs.namespace)
                }
            )
        } else {
            format!("path {:?}", attrs.path)
        }
    );
    if !rbac.is_empty()
        && let Ok((policy, _)) = kauth_store::rbac::load(rbac, false)
    {
        for m in explain::near_misses(&policy, &attrs) {
            eprintln!("  near miss: {}: {}", m.via, m.what);
        }
    }
    eprintln!("  this would allow it:");
    for line in explain::suggestion(&attrs).lines() {
        eprintln!("    {line}");
    }
}
