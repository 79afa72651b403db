//! The proxy for a cluster without `proxy-url`, chosen as Go's
//! `http.ProxyFromEnvironment` chooses it (client-go's default):
//! `HTTPS_PROXY` or `HTTP_PROXY` (upper case first, then lower case; an
//! empty value counts as unset) by the request's scheme, unless the host
//! is `localhost` or a loopback address, or `NO_PROXY` exempts it.
//!
//! `NO_PROXY` is a comma-separated list, lower-cased and trimmed: `*`
//! exempts everything; a CIDR range exempts the IP addresses in it; an IP
//! address, optionally with a port (`10.0.0.1:6443`, `[fd00::1]:6443`),
//! exempts that address (on that port); anything else is a domain
//! (`example.com`, `.example.com`, `*.example.com`, each optionally with a
//! port), which exempts the host itself (unless written with a leading dot)
//! and its subdomains, and never an IP address. The port compared is the
//! request's, or 443 for `https` and 80 for `http`.
//!
//! Upstream: `golang.org/x/net/http/httpproxy` (`config.init`,
//! `useProxy`, the matchers). `tests/go/proxy` checks this against Go.

use std::net::IpAddr;

/// The variables Go reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProxyEnvironment {
    pub http_proxy: String,
    pub https_proxy: String,
    pub no_proxy: String,
    /// `REQUEST_METHOD` is set: Go then refuses `HTTP_PROXY` (httpoxy).
    pub cgi: bool,
}

impl ProxyEnvironment {
    /// From the process environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// From any lookup of variables (Go's `getEnvAny`: the first of the
    /// upper- and lower-case names that is set and not empty).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let any = |names: [&str; 2]| {
            names
                .iter()
                .find_map(|n| get(n).filter(|v| !v.is_empty()))
                .unwrap_or_default()
        };
        ProxyEnvironment {
            http_proxy: any(["HTTP_PROXY", "http_proxy"]),
            https_proxy: any(["HTTPS_PROXY", "https_proxy"]),
            no_proxy: any(["NO_PROXY", "no_proxy"]),
            cgi: get("REQUEST_METHOD").is_some_and(|v| !v.is_empty()),
        }
    }

    /// The proxy URL for a request to `url`, `None` for a direct
    /// connection; an error where Go refuses the proxy.
    pub fn proxy_for(&self, url: &str) -> Result<Option<String>, String> {
        let Some((scheme, rest)) = url.split_once("://") else {
            return Ok(None);
        };
        let scheme = scheme.to_ascii_lowercase();
        let proxy = match scheme.as_str() {
            "https" => &self.https_proxy,
            "http" => &self.http_proxy,
            _ => return Ok(None),
        };
        let Some(proxy) = proxy_url(proxy) else {
            return Ok(None);
        };
        if scheme == "http" && self.cgi {
            return Err(
                "refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy"
                    .to_string(),
            );
        }
        let (host, port) = host_port(rest);
        let port = match port {
            "" if scheme == "https" => "443",
            "" => "80",
            port => port,
        };
        Ok(self.use_proxy(host, port).then_some(proxy))
    }

    fn use_proxy(&self, host: &str, port: &str) -> bool {
        if host == "localhost" {
            return false;
        }
        let ip = host.parse::<IpAddr>().ok().map(canonical);
        if ip.is_some_and(|ip| ip.is_loopback()) {
            return false;
        }
        let host = host.trim().to_ascii_lowercase();
        let exempt = |entry: &str| -> bool {
            if entry == "*" {
                return true;
            }
            if let Some((net, bits)) = cidr(entry) {
                return ip.is_some_and(|ip| in_range(ip, net, bits));
            }
            let (entry_host, entry_port) = match split_host_port(entry) {
                Some(("", _)) => return false,
                Some((h, p)) => (
                    h.strip_prefix('[')
                        .and_then(|h| h.strip_suffix(']'))
                        .unwrap_or(h),
                    p,
                ),
                None => (entry, ""),
            };
            let port_ok = entry_port.is_empty() || entry_port == port;
            if let Ok(entry_ip) = entry_host.parse::<IpAddr>() {
                return ip == Some(canonical(entry_ip)) && port_ok;
            }
            if entry_host.is_empty() || ip.is_some() {
                return false;
            }
            let domain = entry_host.strip_prefix('*').filter(|d| d.starts_with('.'));
            let domain = domain.unwrap_or(entry_host);
            let (suffix, whole) = match domain.strip_prefix('.') {
                Some(_) => (domain.to_string(), None),
                None => (format!(".{domain}"), Some(domain)),
            };
            (host.ends_with(&suffix) || whole == Some(host.as_str())) && port_ok
        };
        !self
            .no_proxy
            .split(',')
            .map(|e| e.trim().to_ascii_lowercase())
            .filter(|e| !e.is_empty())
            .any(|e| exempt(&e))
    }
}

/// Go's `parseProxy`: the value as a URL, or as `http://` + the value when
/// it has no scheme or host. `None` for an empty value.
fn proxy_url(value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    match value.split_once("://") {
        Some((scheme, rest))
            if !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
                && !host_port(rest).0.is_empty() =>
        {
            Some(format!("{}://{rest}", scheme.to_ascii_lowercase()))
        }
        _ => Some(format!("http://{value}")),
    }
}

/// The host (without brackets) and port of a URL after its `scheme://`,
/// as Go's `URL.Hostname` and `URL.Port` give them.
fn host_port(rest: &str) -> (&str, &str) {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match authority.rfind(':') {
        Some(i) if authority[i + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            (&authority[..i], &authority[i + 1..])
        }
        _ => (authority, ""),
    };
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    (host, port)
}

/// Go's `net.SplitHostPort`: `None` where it fails (no port, too many
/// colons, stray brackets).
fn split_host_port(text: &str) -> Option<(&str, &str)> {
    if let Some(rest) = text.strip_prefix('[') {
        let end = rest.find(']')?;
        let port = rest[end + 1..].strip_prefix(':')?;
        if port.contains(':') {
            return None;
        }
        return Some((&text[..end + 2], port));
    }
    let i = text.rfind(':')?;
    let (host, port) = (&text[..i], &text[i + 1..]);
    if host.contains([':', '[', ']']) || port.contains([']', '[']) {
        return None;
    }
    Some((host, port))
}

/// Go's `net.ParseCIDR`: an address (no zone) and a prefix length within
/// its size.
fn cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (addr, bits) = text.split_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    if bits.is_empty() || !bits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let bits: u32 = bits.parse().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((canonical(addr), bits as u8))
}

fn in_range(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// IPv4-mapped IPv6 addresses compare as the IPv4 address, as in Go.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}
