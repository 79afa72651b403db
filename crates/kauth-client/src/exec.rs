//! client-go exec credential plugins (`client.authentication.k8s.io` v1
//! and v1beta1): the plugin runs with `KUBERNETES_EXEC_INFO`, its `env`
//! and `args`, and prints an ExecCredential with a token or a client
//! certificate. Upstream: `staging/src/k8s.io/client-go/plugin/pkg/client/auth/exec/exec.go`.

use std::io::IsTerminal;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::ClientError;
use kauth_kubeconfig::ExecConfig;

/// What a plugin returned.
#[derive(Clone)]
pub struct ExecCredential {
    pub token: Option<Zeroizing<String>>,
    /// PEM certificate and key.
    pub client_certificate: Option<(Vec<u8>, Zeroizing<Vec<u8>>)>,
    pub expires: Option<OffsetDateTime>,
}

impl std::fmt::Debug for ExecCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ExecCredential(token: {}, certificate: {}, expires: {:?})",
            self.token.is_some(),
            self.client_certificate.is_some(),
            self.expires
        )
    }
}

/// The cluster, for `provideClusterInfo`.
#[derive(Debug, Clone, Default)]
pub struct ClusterInfo {
    pub server: String,
    pub tls_server_name: String,
    pub insecure_skip_tls_verify: bool,
    pub certificate_authority_data: Vec<u8>,
    pub proxy_url: String,
    pub disable_compression: bool,
    /// The cluster's `client.authentication.k8s.io/exec` extension.
    pub config: Option<Value>,
}

/// Runs the plugin and reads its credential.
pub fn run(exec: &ExecConfig, cluster: &ClusterInfo) -> Result<ExecCredential, ClientError> {
    let api_version = if exec.api_version.is_empty() {
        return Err(ClientError::Exec(
            "exec plugin: invalid apiVersion \"\"".into(),
        ));
    } else {
        exec.api_version.clone()
    };
    if !matches!(
        api_version.as_str(),
        "client.authentication.k8s.io/v1" | "client.authentication.k8s.io/v1beta1"
    ) {
        return Err(ClientError::Exec(format!(
            "exec plugin: invalid apiVersion {api_version:?}"
        )));
    }
    let mode = if exec.interactive_mode.is_empty() {
        "IfAvailable"
    } else {
        &exec.interactive_mode
    };
    let stdin_terminal = std::io::stdin().is_terminal();
    let interactive = match mode {
        "Never" => false,
        "Always" if !stdin_terminal => {
            return Err(ClientError::Exec(
                "exec plugin cannot support interactive mode: standard input is not a terminal"
                    .into(),
            ));
        }
        _ => stdin_terminal,
    };
    let mut spec = json!({ "interactive": interactive });
    if exec.provide_cluster_info {
        use base64::Engine as _;
        let mut c = json!({ "server": cluster.server });
        if !cluster.tls_server_name.is_empty() {
            c["tls-server-name"] = json!(cluster.tls_server_name);
        }
        if cluster.insecure_skip_tls_verify {
            c["insecure-skip-tls-verify"] = json!(true);
        }
        if !cluster.certificate_authority_data.is_empty() {
            c["certificate-authority-data"] = json!(
                base64::engine::general_purpose::STANDARD
                    .encode(&cluster.certificate_authority_data)
            );
        }
        if !cluster.proxy_url.is_empty() {
            c["proxy-url"] = json!(cluster.proxy_url);
        }
        if cluster.disable_compression {
            c["disable-compression"] = json!(true);
        }
        if let Some(config) = &cluster.config {
            c["config"] = config.clone();
        }
        spec["cluster"] = c;
    }
    let info = json!({"kind": "ExecCredential", "apiVersion": api_version, "spec": spec});
    let mut cmd = Command::new(&exec.command);
    cmd.args(exec.args.as_deref().unwrap_or_default())
        .env("KUBERNETES_EXEC_INFO", info.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .stdin(if interactive {
            Stdio::inherit()
        } else {
            Stdio::null()
        });
    for var in exec.env.as_deref().unwrap_or_default() {
        cmd.env(&var.name, &var.value);
    }
    let out = cmd.output().map_err(|e| {
        let mut m = if e.kind() == std::io::ErrorKind::NotFound {
            format!("exec: executable {} not found", exec.command)
        } else {
            format!("exec: {}: {e}", exec.command)
        };
        if !exec.install_hint.is_empty() {
            m.push_str(&format!("\n\n{}", exec.install_hint.trim_end()));
        }
        ClientError::Exec(m)
    })?;
    if !out.status.success() {
        return Err(ClientError::Exec(format!(
            "exec: executable {} failed with {}",
            exec.command, out.status
        )));
    }
    parse(&out.stdout, &api_version)
}

/// Reads an ExecCredential as client-go validates it.
pub fn parse(stdout: &[u8], api_version: &str) -> Result<ExecCredential, ClientError> {
    let bad = |why: &str| ClientError::Exec(format!("exec plugin: {why}"));
    let v: Value = serde_json::from_slice(stdout)
        .map_err(|_| bad("decoding stdout: not an ExecCredential (not JSON)"))?;
    if v.get("kind").and_then(Value::as_str) != Some("ExecCredential") {
        return Err(bad("decoding stdout: kind is not ExecCredential"));
    }
    let got = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if got != api_version {
        return Err(bad(&format!(
            "wrong apiVersion in output: got {got:?}, expected {api_version:?}"
        )));
    }
    let status = v.get("status").ok_or_else(|| bad("status missing"))?;
    let get = |k: &str| {
        status
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let token = get("token").map(|t| Zeroizing::new(t.to_string()));
    let cert = get("clientCertificateData");
    let key = get("clientKeyData");
    let client_certificate = match (cert, key) {
        (Some(c), Some(k)) => Some((c.as_bytes().to_vec(), Zeroizing::new(k.as_bytes().to_vec()))),
        (None, None) => None,
        _ => {
            return Err(bad(
                "status.clientCertificateData and status.clientKeyData must both be present",
            ));
        }
    };
    if token.is_some() && client_certificate.is_some() {
        return Err(bad(
            "exec plugin returned both token and client certificate data",
        ));
    }
    if token.is_none() && client_certificate.is_none() {
        return Err(bad("exec plugin didn't return a token or cert/key pair"));
    }
    let expires = match get("expirationTimestamp") {
        Some(t) => Some(
            OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                .map_err(|_| bad("status.expirationTimestamp is not RFC 3339"))?,
        ),
        None => None,
    };
    Ok(ExecCredential {
        token,
        client_certificate,
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_validated_like_client_go() {
        let v1 = "client.authentication.k8s.io/v1";
        let ok = parse(br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"t","expirationTimestamp":"2030-01-01T00:00:00Z"}}"#, v1).unwrap();
        assert_eq!(ok.token.as_deref().map(|t| t.as_str()), Some("t"));
        assert!(ok.expires.is_some());
        let wrong = parse(br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","status":{"token":"t"}}"#, v1);
        assert!(wrong.unwrap_err().to_string().contains("wrong apiVersion"));
        let half = parse(br#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"clientCertificateData":"x"}}"#, v1);
        assert!(
            half.unwrap_err()
                .to_string()
                .contains("must both be present")
        );
        assert!(parse(b"nope", v1).is_err());
    }
}
