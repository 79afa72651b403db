//! A small HTTP/1.1 client over TCP and TLS: what kauth needs to talk to
//! an API server or a kubelet (one request per connection, Content-Length
//! and chunked bodies, HTTP and SOCKS5 proxies with their credentials),
//! with every failure kept distinct so it can be explained.
//!
//! Written by hand rather than on reqwest or ureq: kauth's explanations
//! need each step apart (resolving, connecting, the proxy's answer, the
//! TLS handshake with the chain the server sent, the HTTP exchange), the
//! rustls configuration is kauth's own (its verifier records what it saw),
//! and every size is bounded where a hostile server could grow it. The
//! request side follows Go's client: header values checked as Go checks
//! them, the server URL's user sent as basic authentication, the proxy
//! URL's user as `Proxy-Authorization` or the SOCKS5 login, and no
//! password in an error (URLs are shown as Go's `URL.Redacted` shows them).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use super::ClientError;

/// A parsed `https://[user:password@]host:port/prefix` server URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub scheme: String,
    pub host: String,
    pub port: u16,
    /// A path prefix (`/k8s/clusters/c-1` behind Rancher), without the final `/`.
    pub prefix: String,
    /// The URL's user information, percent-decoded as Go's `url.Parse`
    /// decodes it. Go's client sends it as basic authentication (to a
    /// server) or `Proxy-Authorization` (to a proxy).
    pub user: Option<UserInfo>,
    /// Whether the URL names a port.
    pub explicit_port: bool,
}

/// A user name and password from a URL; the password never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub username: String,
    pub password: Option<zeroize::Zeroizing<String>>,
}

impl std::fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserInfo")
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "xxxxx"))
            .finish()
    }
}

impl UserInfo {
    /// `Basic base64(user:password)`, as Go's `basicAuth`.
    pub fn basic(&self) -> String {
        use base64::Engine as _;
        let pair = zeroize::Zeroizing::new(format!(
            "{}:{}",
            self.username,
            self.password.as_ref().map_or("", |p| p.as_str())
        ));
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair.as_bytes())
        )
    }
}

/// `url` with any password replaced by `xxxxx`, as Go's `URL.Redacted`:
/// what errors and logs show.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:xxxxx{}", &rest[at..]),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

impl Endpoint {
    pub fn parse(url: &str) -> Result<Endpoint, ClientError> {
        let shown = redacted(url);
        let bad = |why: &str| ClientError::Url(format!("{shown:?}: {why}"));
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("no scheme (https://...)"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(bad("the scheme must be https or http"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let (user, authority) = match authority.rfind('@') {
            Some(at) => {
                let (name, password) = match authority[..at].split_once(':') {
                    Some((n, p)) => (n, Some(p)),
                    None => (&authority[..at], None),
                };
                let decode = |t: &str| {
                    kauth_formats::url::unescape(t)
                        .map_err(|_| bad("invalid escape in the user information"))
                };
                let user = UserInfo {
                    username: decode(name)?,
                    password: password
                        .map(|p| decode(p).map(zeroize::Zeroizing::new))
                        .transpose()?,
                };
                (Some(user), &authority[at + 1..])
            }
            None => (None, authority),
        };
        let default_port = if scheme == "https" { 443 } else { 80 };
        let (host, port, explicit_port) = if let Some(stripped) = authority.strip_prefix('[') {
            let end = stripped
                .find(']')
                .ok_or_else(|| bad("unclosed IPv6 address"))?;
            let host = &stripped[..end];
            match stripped[end + 1..].strip_prefix(':') {
                Some(p) => (
                    host.to_string(),
                    p.parse().map_err(|_| bad("bad port"))?,
                    true,
                ),
                None => (host.to_string(), default_port, false),
            }
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), p.parse().map_err(|_| bad("bad port"))?, true),
                None => (authority.to_string(), default_port, false),
            }
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        Ok(Endpoint {
            scheme,
            host,
            port,
            prefix: path.trim_end_matches('/').to_string(),
            user,
            explicit_port,
        })
    }

    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Where to connect through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proxy {
    Http(Endpoint),
    Socks5(Endpoint),
}

impl Proxy {
    pub fn parse(url: &str) -> Result<Proxy, ClientError> {
        if let Some(rest) = url
            .strip_prefix("socks5://")
            .or_else(|| url.strip_prefix("socks5h://"))
        {
            let ep = Endpoint::parse(&format!("http://{rest}"))?;
            return Ok(Proxy::Socks5(Endpoint {
                port: if ep.explicit_port { ep.port } else { 1080 },
                ..ep
            }));
        }
        let ep = Endpoint::parse(url)?;
        if ep.scheme != "http" {
            return Err(ClientError::Url(format!(
                "proxy {:?}: kauth supports http:// and socks5:// proxies",
                redacted(url)
            )));
        }
        Ok(Proxy::Http(ep))
    }
}

fn connect_tcp(host: &str, port: u16, timeout: Option<Duration>) -> Result<TcpStream, ClientError> {
    let target = format!("{host}:{port}");
    let addrs: Vec<_> = (host, port)
        .to_socket_addrs()
        .map_err(|e| ClientError::Connect(format!("cannot resolve {host}: {e}")))?
        .collect();
    let mut last = None;
    for addr in addrs {
        let attempt = match timeout {
            Some(t) => TcpStream::connect_timeout(&addr, t),
            None => TcpStream::connect(addr),
        };
        match attempt {
            Ok(s) => {
                s.set_read_timeout(timeout).ok();
                s.set_write_timeout(timeout).ok();
                return Ok(s);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            ClientError::Connect(format!(
                "connection refused by {target}: is the API server running, and is this its address and port?"
            ))
        }
        Some(e)
            if e.kind() == std::io::ErrorKind::TimedOut
                || e.kind() == std::io::ErrorKind::WouldBlock =>
        {
            ClientError::Timeout(format!("connecting to {target}"))
        }
        Some(e) => ClientError::Connect(format!("cannot connect to {target}: {e}")),
        None => ClientError::Connect(format!("{host} has no address")),
    })
}

/// Opens the TCP stream to `target`, through `proxy` when given.
pub fn open(
    target: &Endpoint,
    proxy: Option<&Proxy>,
    timeout: Option<Duration>,
) -> Result<TcpStream, ClientError> {
    match proxy {
        None => connect_tcp(&target.host, target.port, timeout),
        Some(Proxy::Http(p)) => {
            let mut s = connect_tcp(&p.host, p.port, timeout)?;
            let authority = target.authority();
            // Go's transport sends the proxy URL's user as basic auth.
            let auth = p.user.as_ref().map_or(String::new(), |u| {
                format!("Proxy-Authorization: {}\r\n", u.basic())
            });
            let connect = zeroize::Zeroizing::new(format!(
                "CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n{auth}\r\n"
            ));
            drop(zeroize::Zeroizing::new(auth));
            s.write_all(connect.as_bytes())
                .map_err(|e| ClientError::Proxy(e.to_string()))?;
            let mut reader = BufReader::new(&mut s);
            let io = |e: std::io::Error| ClientError::Proxy(e.to_string());
            let mut budget = MAX_HEAD_BYTES;
            let status = head_line(&mut reader, &mut budget, &io)?.unwrap_or_default();
            if !status
                .split_whitespace()
                .nth(1)
                .is_some_and(|c| c.starts_with('2'))
            {
                return Err(ClientError::Proxy(format!(
                    "proxy {} refused CONNECT: {}",
                    p.authority(),
                    status.trim().chars().take(80).collect::<String>()
                )));
            }
            while let Some(line) = head_line(&mut reader, &mut budget, &io)? {
                if line.trim().is_empty() {
                    break;
                }
            }
            Ok(s)
        }
        Some(Proxy::Socks5(p)) => {
            let mut s = connect_tcp(&p.host, p.port, timeout)?;
            let err = |e: std::io::Error| {
                ClientError::Proxy(format!("SOCKS5 proxy {}: {e}", p.authority()))
            };
            // RFC 1928 methods: none, and username/password (RFC 1929) when
            // the proxy URL has a user, as Go's SOCKS dialer offers them.
            let methods: &[u8] = if p.user.is_some() {
                &[5, 2, 0, 2]
            } else {
                &[5, 1, 0]
            };
            s.write_all(methods).map_err(err)?;
            let mut reply = [0u8; 2];
            s.read_exact(&mut reply).map_err(err)?;
            match (reply, &p.user) {
                ([5, 0], _) => {}
                ([5, 2], Some(user)) => socks5_login(&mut s, user, p)?,
                _ => {
                    return Err(ClientError::Proxy(format!(
                        "SOCKS5 proxy {} wants authentication kauth does not offer{}",
                        p.authority(),
                        if p.user.is_some() {
                            ""
                        } else {
                            " (no user in the proxy URL)"
                        }
                    )));
                }
            }
            let host = target.host.as_bytes();
            let mut req = vec![5, 1, 0, 3, host.len() as u8];
            req.extend_from_slice(host);
            req.extend_from_slice(&target.port.to_be_bytes());
            s.write_all(&req).map_err(err)?;
            let mut head = [0u8; 4];
            s.read_exact(&mut head).map_err(err)?;
            if head[1] != 0 {
                return Err(ClientError::Proxy(format!(
                    "SOCKS5 proxy {} could not connect (code {})",
                    p.authority(),
                    head[1]
                )));
            }
            let skip = match head[3] {
                1 => 4 + 2,
                4 => 16 + 2,
                _ => {
                    let mut len = [0u8; 1];
                    s.read_exact(&mut len).map_err(err)?;
                    len[0] as usize + 2
                }
            };
            let mut rest = vec![0u8; skip];
            s.read_exact(&mut rest).map_err(err)?;
            Ok(s)
        }
    }
}

/// RFC 1929 username/password authentication, with Go's limits and
/// messages.
fn socks5_login(s: &mut TcpStream, user: &UserInfo, p: &Endpoint) -> Result<(), ClientError> {
    let fail = |why: &str| ClientError::Proxy(format!("SOCKS5 proxy {}: {why}", p.authority()));
    let name = user.username.as_bytes();
    let password = user.password.as_ref().map_or(&b""[..], |p| p.as_bytes());
    if name.is_empty() || name.len() > 255 || password.len() > 255 {
        return Err(fail("invalid username/password"));
    }
    let mut login = zeroize::Zeroizing::new(vec![1, name.len() as u8]);
    login.extend_from_slice(name);
    login.push(password.len() as u8);
    login.extend_from_slice(password);
    s.write_all(&login).map_err(|e| fail(&e.to_string()))?;
    let mut reply = [0u8; 2];
    s.read_exact(&mut reply).map_err(|e| fail(&e.to_string()))?;
    match reply {
        [1, 0] => Ok(()),
        [1, _] => Err(fail("username/password authentication failed")),
        _ => Err(fail("invalid username/password version")),
    }
}

/// Whether `name` is an HTTP token (RFC 7230 `tchar`s), as Go's
/// `httpguts.ValidHeaderFieldName`.
pub fn valid_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether `value` may go in a header: no control character but a tab,
/// as Go's `httpguts.ValidHeaderFieldValue` (so no CR or LF can start a
/// header of its own).
pub fn valid_header_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (b >= b' ' && b != 0x7f))
}

/// Refuses what would let a value write its own lines on the wire, naming
/// the field and never its value (it may be a credential), as Go's
/// `net/http` refuses it ("invalid header field value for ...").
pub fn check_request(
    method: &str,
    path: &str,
    headers: &[(String, String)],
) -> Result<(), ClientError> {
    if !valid_header_name(method) {
        return Err(ClientError::Header(format!("invalid method {method:?}")));
    }
    if path.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(ClientError::Header(
            "invalid request path: it contains a space or a control character (percent-encode it)"
                .into(),
        ));
    }
    for (k, v) in headers {
        if !valid_header_name(k) {
            return Err(ClientError::Header(format!(
                "invalid header field name {k:?}"
            )));
        }
        if !valid_header_value(v) {
            return Err(ClientError::Header(format!(
                "invalid header field value for {k:?}: it contains a control character such as a line break (the value is not shown){}",
                match k.to_ascii_lowercase().as_str() {
                    "authorization" => "; check the user's token or password",
                    k if k.starts_with("impersonate-") =>
                        "; check --as, --as-group, --as-uid and the user's as-* fields",
                    _ => "",
                }
            )));
        }
    }
    Ok(())
}

/// Sends one request on `stream` and reads the response.
pub fn exchange<S: Read + Write>(
    mut stream: S,
    method: &str,
    host: &str,
    path: &str,
    headers: &[(String, String)],
    body: Option<&[u8]>,
) -> Result<Response, ClientError> {
    let io = |e: std::io::Error| {
        if let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
            ClientError::Rustls(tls.clone())
        } else if matches!(
            e.kind(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
        ) {
            ClientError::Timeout("waiting for the response".into())
        } else {
            ClientError::Io(e.to_string())
        }
    };
    check_request(method, path, headers)?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        head.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).map_err(io)?;
    if let Some(b) = body {
        stream.write_all(b).map_err(io)?;
    }
    stream.flush().map_err(io)?;
    let mut reader = BufReader::new(stream);
    read_response(&mut reader, method, io)
}

/// The most a response's status line and headers may take together (Go's
/// client allows 10 MiB; an API server sends a few hundred bytes).
pub const MAX_HEAD_BYTES: usize = 1 << 20;
/// The most a response body may take: kauth holds bodies in memory.
pub const MAX_BODY_BYTES: usize = 256 << 20;

fn mib(n: usize) -> String {
    format!("{} MiB", n >> 20)
}

/// One line (up to LF) taking at most `budget` bytes of the head, which
/// it spends; `None` at the end of the stream.
fn head_line<R: BufRead>(
    reader: &mut R,
    budget: &mut usize,
    io: &impl Fn(std::io::Error) -> ClientError,
) -> Result<Option<String>, ClientError> {
    bounded_line(reader, budget, io, || {
        format!(
            "the server's response headers exceed kauth's limit of {}",
            mib(MAX_HEAD_BYTES)
        )
    })
}

/// One line (up to LF) of at most `budget` bytes, which it spends; `None`
/// at the end of the stream; `too_long`'s error past the budget.
fn bounded_line<R: BufRead>(
    reader: &mut R,
    budget: &mut usize,
    io: &impl Fn(std::io::Error) -> ClientError,
    too_long: impl Fn() -> String,
) -> Result<Option<String>, ClientError> {
    let mut line = Vec::new();
    let n = reader
        .take(*budget as u64 + 1)
        .read_until(b'\n', &mut line)
        .map_err(io)?;
    if n == 0 {
        return Ok(None);
    }
    if n > *budget {
        return Err(ClientError::Protocol(too_long()));
    }
    *budget -= n;
    Ok(Some(String::from_utf8_lossy(&line).into_owned()))
}

/// Reads a response's status line, headers and body, every size bounded.
fn read_response<R: BufRead>(
    reader: &mut R,
    method: &str,
    io: impl Fn(std::io::Error) -> ClientError,
) -> Result<Response, ClientError> {
    let mut budget = MAX_HEAD_BYTES;
    let status_line = head_line(reader, &mut budget, &io)?.unwrap_or_default();
    let mut parts = status_line.trim_end().splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    if !version.starts_with("HTTP/") {
        return Err(ClientError::Protocol(format!(
            "the server did not answer with HTTP ({:?}): is this an HTTPS endpoint?",
            status_line.trim().chars().take(80).collect::<String>()
        )));
    }
    let status: u16 = parts
        .next()
        .and_then(|c| c.parse().ok())
        .filter(|c| (100..1000).contains(c))
        .ok_or_else(|| {
            ClientError::Protocol(format!(
                "bad status line {:?}",
                status_line.trim().chars().take(80).collect::<String>()
            ))
        })?;
    let reason = parts.next().unwrap_or("").to_string();
    let mut response_headers = Vec::new();
    while let Some(line) = head_line(reader, &mut budget, &io)? {
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            response_headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let header = |name: &str| {
        response_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v): &(String, String)| v.clone())
    };
    let too_big = |what: String| {
        ClientError::Protocol(format!(
            "{what}, over kauth's limit of {} for a response body",
            mib(MAX_BODY_BYTES)
        ))
    };
    let mut body = Vec::new();
    if method == "HEAD" || status == 204 || status == 304 || (100..200).contains(&status) {
        // No body.
    } else if header("Transfer-Encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        loop {
            let size_line = bounded_line(reader, &mut 4096, &io, || {
                "a chunk size line longer than 4 KiB".into()
            })?;
            let Some(size_line) = size_line else {
                return Err(ClientError::Protocol(
                    "the response ended inside its chunked body".into(),
                ));
            };
            let digits = size_line.trim().split(';').next().unwrap_or("").trim();
            let size = u64::from_str_radix(digits, 16).map_err(|_| {
                ClientError::Protocol(format!(
                    "bad chunk size {:?}",
                    digits.chars().take(40).collect::<String>()
                ))
            })?;
            if size == 0 {
                // Trailers, up to the blank line.
                while let Some(line) = head_line(reader, &mut budget, &io)? {
                    if line.trim().is_empty() {
                        break;
                    }
                }
                break;
            }
            if size > (MAX_BODY_BYTES - body.len()) as u64 {
                return Err(too_big(format!("a chunk of {size} bytes")));
            }
            let got = reader.take(size).read_to_end(&mut body).map_err(&io)?;
            if (got as u64) < size {
                return Err(ClientError::Protocol(
                    "the response ended inside a chunk".into(),
                ));
            }
            let crlf = bounded_line(reader, &mut 2, &io, || {
                "a chunk is longer than its size says".into()
            })?;
            if crlf.as_deref().is_some_and(|l| !l.trim().is_empty()) {
                return Err(ClientError::Protocol(
                    "a chunk is longer than its size says".into(),
                ));
            }
        }
    } else if let Some(text) = header("Content-Length") {
        let len: u64 = text.parse().map_err(|_| {
            ClientError::Protocol(format!(
                "bad Content-Length {:?}",
                text.chars().take(40).collect::<String>()
            ))
        })?;
        if len > MAX_BODY_BYTES as u64 {
            return Err(too_big(format!("the server announces {len} bytes")));
        }
        let got = reader.take(len).read_to_end(&mut body).map_err(&io)?;
        if (got as u64) < len {
            return Err(ClientError::Protocol(format!(
                "the response ended after {got} of the {len} bytes it announced"
            )));
        }
    } else {
        match reader
            .take(MAX_BODY_BYTES as u64 + 1)
            .read_to_end(&mut body)
        {
            Ok(_) => {}
            // A TLS peer that closes without close_notify still gave us the body.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {}
            Err(e) => return Err(io(e)),
        }
        if body.len() > MAX_BODY_BYTES {
            return Err(too_big("the response has no length and goes on".into()));
        }
    }
    Ok(Response {
        status,
        reason,
        headers: response_headers,
        body,
    })
}

/// A TLS stream over TCP.
pub type TlsStream = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

pub fn tls_stream(
    tcp: TcpStream,
    config: Arc<rustls::ClientConfig>,
    server_name: rustls::pki_types::ServerName<'static>,
) -> Result<TlsStream, ClientError> {
    let conn = rustls::ClientConnection::new(config, server_name)
        .map_err(|e| ClientError::Tls(e.to_string()))?;
    Ok(rustls::StreamOwned::new(conn, tcp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_information_is_decoded_and_never_shown() {
        let ep = Endpoint::parse("https://ad%20min:p%40ss:w@host:6443/x").unwrap();
        let user = ep.user.as_ref().unwrap();
        assert_eq!(user.username, "ad min");
        assert_eq!(user.password.as_ref().unwrap().as_str(), "p@ss:w");
        assert_eq!((ep.host.as_str(), ep.port), ("host", 6443));
        assert!(!format!("{ep:?}").contains("p@ss"));
        assert_eq!(redacted("https://u:pw@h:1/p@q"), "https://u:xxxxx@h:1/p@q");
        assert_eq!(redacted("https://u@h"), "https://u@h");
        let err = Endpoint::parse("https://u:p%zz@h").unwrap_err().to_string();
        assert!(err.contains("u:xxxxx@h") && !err.contains("p%zz"), "{err}");
    }

    #[test]
    fn endpoints_parse_like_server_urls() {
        let e = Endpoint::parse("https://10.0.0.1:6443").unwrap();
        assert_eq!(
            (e.host.as_str(), e.port, e.prefix.as_str()),
            ("10.0.0.1", 6443, "")
        );
        let e = Endpoint::parse("https://rancher.example.com/k8s/clusters/c-1/").unwrap();
        assert_eq!((e.port, e.prefix.as_str()), (443, "/k8s/clusters/c-1"));
        let e = Endpoint::parse("https://[::1]:6443").unwrap();
        assert_eq!(
            (e.host.as_str(), e.authority().as_str()),
            ("::1", "[::1]:6443")
        );
        assert!(Endpoint::parse("10.0.0.1:6443").is_err());
        assert!(
            matches!(Proxy::parse("socks5://localhost").unwrap(), Proxy::Socks5(e) if e.port == 1080)
        );
    }

    #[test]
    fn responses_read_with_length_and_chunks() {
        struct Duplex(std::io::Cursor<Vec<u8>>, Vec<u8>);
        impl Read for Duplex {
            fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
                self.0.read(b)
            }
        }
        impl Write for Duplex {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.1.write(b)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n3\r\n{\"a\r\n3\r\n\":1\r\n1\r\n}\r\n0\r\n\r\n";
        let r = exchange(
            Duplex(std::io::Cursor::new(wire.to_vec()), Vec::new()),
            "GET",
            "h",
            "/x",
            &[],
            None,
        )
        .unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"{\"a\":1}"[..]));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let wire = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nnoEXTRA";
        let r = exchange(
            Duplex(std::io::Cursor::new(wire.to_vec()), Vec::new()),
            "GET",
            "h",
            "/x",
            &[],
            Some(b"{}"),
        )
        .unwrap();
        assert_eq!(
            (r.status, r.reason.as_str(), r.body.as_slice()),
            (403, "Forbidden", &b"no"[..])
        );
    }
}
