//! How a kubelet authorizes requests to its HTTPS API: the HTTP method
//! becomes a verb and the path a `nodes` subresource, checked with a
//! SubjectAccessReview against the API server (name = the node).
//!
//! Upstream: `pkg/kubelet/server/auth.go` (`GetRequestAttributes`), with
//! the fine-grained kubelet authorization of 1.33+ (feature gate
//! `KubeletFineGrainedAuthz`, on by default): `/pods`, `/runningpods`,
//! `/healthz`, `/configz` and `/statusz` are checked as `nodes/pods`,
//! `nodes/healthz`, `nodes/configz`, `nodes/statusz` first and fall back
//! to `nodes/proxy`; `/stats`, `/metrics`, `/logs` and `/checkpoint` have
//! their own subresource and no fallback.

/// The port a kubelet serves its API on unless told otherwise.
pub const PORT: u16 = 10250;

/// The `host:port` authority of a kubelet given as `HOST`, `HOST:PORT`, an
/// IPv6 address (`fd00::5`) or `[IPV6]:PORT`, with [`PORT`] where none is
/// given. The error says what is wrong with the text.
pub fn authority(text: &str) -> Result<String, String> {
    let bad_port =
        |port: &str| format!("{text:?}: the port {port:?} is not a number from 1 to 65535");
    let check_port = |port: &str| match port.parse::<u16>() {
        Ok(p) if p > 0 && port.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        _ => Err(bad_port(port)),
    };
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("{text:?}: missing ']' after the IPv6 address"))?;
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("{text:?}: {host:?} is not an IPv6 address"));
        }
        return match after {
            "" => Ok(format!("[{host}]:{PORT}")),
            _ => match after.strip_prefix(':') {
                Some(port) => check_port(port).map(|()| text.to_string()),
                None => Err(format!("{text:?}: expected ':PORT' after ']'")),
            },
        };
    }
    if text.parse::<std::net::Ipv6Addr>().is_ok() {
        return Ok(format!("[{text}]:{PORT}"));
    }
    match text.split_once(':') {
        None if text.is_empty() => Err("the kubelet address is empty".to_string()),
        None => Ok(format!("{text}:{PORT}")),
        Some((host, port)) if !port.contains(':') && !host.is_empty() => {
            check_port(port).map(|()| text.to_string())
        }
        Some(_) => Err(format!(
            "{text:?} is neither HOST, HOST:PORT, an IPv6 address nor [IPV6]:PORT"
        )),
    }
}

/// The checks, in order; the request is allowed if any allows it.
pub fn checks(method: &str, path: &str) -> (String, Vec<&'static str>) {
    let verb = match method {
        "POST" => "create",
        "GET" => "get",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => "delete",
        _ => "",
    }
    .to_string();
    // The URL path only; upstream matches `r.URL.Path`.
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let sub = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    let mut subresources = Vec::new();
    if sub("/pods") {
        subresources.push("pods");
    } else if sub("/healthz") {
        subresources.push("healthz");
    } else if sub("/configz") {
        subresources.push("configz");
    } else if sub("/statusz") {
        subresources.push("statusz");
    } else if sub("/runningpods") {
        subresources.push("pods");
    }
    subresources.push(if sub("/stats") {
        "stats"
    } else if sub("/metrics") {
        "metrics"
    } else if sub("/logs") {
        "log"
    } else if sub("/checkpoint") {
        "checkpoint"
    } else {
        "proxy"
    });
    (verb, subresources)
}

/// `the kubelet checks get nodes/pods, then get nodes/proxy` in words.
pub fn describe(method: &str, path: &str) -> String {
    let (verb, subs) = checks(method, path);
    let list: Vec<String> = subs.iter().map(|s| format!("`{verb} nodes/{s}`")).collect();
    if list.len() == 1 {
        format!(
            "the kubelet authorizes {path} as {} (name: the node)",
            list[0]
        )
    } else {
        format!(
            "the kubelet authorizes {path} as {} (name: the node), and falls back to {} when that is denied",
            list[0],
            list[1..].join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubelet_addresses_take_the_default_port_where_none_is_given() {
        for (given, want) in [
            ("node-1", "node-1:10250"),
            ("node-1:10255", "node-1:10255"),
            ("10.0.0.5", "10.0.0.5:10250"),
            ("fd00::5", "[fd00::5]:10250"),
            ("::1", "[::1]:10250"),
            ("[fd00::5]", "[fd00::5]:10250"),
            ("[fd00::5]:10255", "[fd00::5]:10255"),
        ] {
            assert_eq!(authority(given).as_deref(), Ok(want), "{given}");
        }
        for bad in [
            "",
            "a:b:c",
            "[fd00::5",
            "[x]:1",
            "[fd00::5]x",
            "h:0",
            "h:99999",
            "h:+1",
            ":1",
            "h:",
        ] {
            assert!(authority(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths_map_to_node_subresources() {
        for (method, path, verb, subs) in [
            ("GET", "/metrics", "get", vec!["metrics"]),
            ("GET", "/metrics/cadvisor", "get", vec!["metrics"]),
            ("GET", "/stats/summary", "get", vec!["stats"]),
            ("GET", "/logs/syslog", "get", vec!["log"]),
            ("GET", "/pods", "get", vec!["pods", "proxy"]),
            ("GET", "/runningpods/", "get", vec!["pods", "proxy"]),
            ("GET", "/healthz", "get", vec!["healthz", "proxy"]),
            ("GET", "/configz", "get", vec!["configz", "proxy"]),
            ("POST", "/exec/ns/pod/c", "create", vec!["proxy"]),
            ("POST", "/checkpoint/ns/p/c", "create", vec!["checkpoint"]),
            ("GET", "/podsx", "get", vec!["proxy"]),
            ("GET", "/pods?x=1", "get", vec!["pods", "proxy"]),
            ("GET", "/statusz", "get", vec!["statusz", "proxy"]),
            ("HEAD", "/healthz", "", vec!["healthz", "proxy"]),
        ] {
            assert_eq!(
                checks(method, path),
                (verb.to_string(), subs),
                "{method} {path}"
            );
        }
        assert!(describe("GET", "/pods").contains("falls back to `get nodes/proxy`"));
    }
}
