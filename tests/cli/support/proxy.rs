//! Proxies on 127.0.0.1 that record where they were asked to connect and
//! with which credential, then pipe the bytes: HTTP CONNECT, and SOCKS5
//! (RFC 1928) with optional username/password authentication (RFC 1929).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub struct Proxy {
    pub url: String,
    pub targets: Arc<Mutex<Vec<String>>>,
    /// The `Proxy-Authorization` of each CONNECT (SOCKS5: `user:password`).
    pub credentials: Arc<Mutex<Vec<Option<String>>>>,
}

impl Proxy {
    pub fn start() -> Proxy {
        Proxy::start_to(None)
    }

    /// A proxy that connects every tunnel to `to`, whatever host it was
    /// asked for (so tests can use names that resolve nowhere).
    pub fn start_to(to: Option<String>) -> Proxy {
        Proxy::serve(to, None, false)
    }

    /// An HTTP proxy (or, with `socks`, a SOCKS5 proxy) that answers only
    /// clients presenting `required` (a `Proxy-Authorization` value, or
    /// `user:password` for SOCKS5), tunnelling every connection to `to`.
    pub fn serve(to: Option<String>, required: Option<String>, socks: bool) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let scheme = if socks { "socks5" } else { "http" };
        let url = format!(
            "{scheme}://127.0.0.1:{}",
            listener.local_addr().unwrap().port()
        );
        let targets = Arc::new(Mutex::new(Vec::new()));
        let credentials = Arc::new(Mutex::new(Vec::new()));
        let (seen, creds) = (targets.clone(), credentials.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (seen, creds) = (seen.clone(), creds.clone());
                let (to, required) = (to.clone(), required.clone());
                std::thread::spawn(move || {
                    if socks {
                        socks5(client, &seen, &creds, to, required)
                    } else {
                        tunnel(client, &seen, &creds, to, required)
                    }
                });
            }
        });
        Proxy {
            url,
            targets,
            credentials,
        }
    }
}

fn socks5(
    mut client: TcpStream,
    seen: &Mutex<Vec<String>>,
    creds: &Mutex<Vec<Option<String>>>,
    to: Option<String>,
    required: Option<String>,
) -> Option<()> {
    use std::io::Read;
    let mut head = [0u8; 2];
    client.read_exact(&mut head).ok()?;
    let mut methods = vec![0u8; head[1] as usize];
    client.read_exact(&mut methods).ok()?;
    let mut given = None;
    if required.is_some() {
        if !methods.contains(&2) {
            client.write_all(&[5, 0xFF]).ok()?;
            creds.lock().unwrap().push(None);
            return None;
        }
        client.write_all(&[5, 2]).ok()?;
        let field = |client: &mut TcpStream| -> Option<String> {
            let mut len = [0u8; 1];
            client.read_exact(&mut len).ok()?;
            let mut text = vec![0u8; len[0] as usize];
            client.read_exact(&mut text).ok()?;
            String::from_utf8(text).ok()
        };
        let mut version = [0u8; 1];
        client.read_exact(&mut version).ok()?;
        let user = field(&mut client)?;
        let password = field(&mut client)?;
        given = Some(format!("{user}:{password}"));
        creds.lock().unwrap().push(given.clone());
        if given != required {
            client.write_all(&[1, 1]).ok()?;
            return None;
        }
        client.write_all(&[1, 0]).ok()?;
    } else {
        client.write_all(&[5, 0]).ok()?;
        creds.lock().unwrap().push(given);
    }
    let mut request = [0u8; 5];
    client.read_exact(&mut request).ok()?;
    let mut host = vec![0u8; request[4] as usize];
    client.read_exact(&mut host).ok()?;
    let mut port = [0u8; 2];
    client.read_exact(&mut port).ok()?;
    let target = format!(
        "{}:{}",
        String::from_utf8(host).ok()?,
        u16::from_be_bytes(port)
    );
    seen.lock().unwrap().push(target.clone());
    let upstream = TcpStream::connect(to.as_deref().unwrap_or(&target)).ok()?;
    client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]).ok()?;
    pipe(client.try_clone().ok()?, client, upstream);
    Some(())
}

/// Copies bytes both ways until either side closes.
fn pipe(
    mut from_client: impl std::io::Read + Send + 'static,
    mut to_client: TcpStream,
    upstream: TcpStream,
) {
    let mut up_r = upstream.try_clone().unwrap();
    let mut up_w = upstream;
    let down = std::thread::spawn(move || std::io::copy(&mut up_r, &mut to_client));
    let _ = std::io::copy(&mut from_client, &mut up_w);
    let _ = up_w.shutdown(std::net::Shutdown::Write);
    let _ = down.join();
}

fn tunnel(
    client: TcpStream,
    seen: &Mutex<Vec<String>>,
    creds: &Mutex<Vec<Option<String>>>,
    to: Option<String>,
    required: Option<String>,
) -> Option<()> {
    let mut reader = BufReader::new(client.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let target = line
        .strip_prefix("CONNECT ")?
        .split_whitespace()
        .next()?
        .to_string();
    let mut given = None;
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        if h.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = h.split_once(':')
            && name.eq_ignore_ascii_case("proxy-authorization")
        {
            given = Some(value.trim().to_string());
        }
    }
    creds.lock().unwrap().push(given.clone());
    let mut client_w = client.try_clone().ok()?;
    if required.is_some() && given != required {
        client_w
            .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n")
            .ok()?;
        return None;
    }
    seen.lock().unwrap().push(target.clone());
    let upstream = TcpStream::connect(to.as_deref().unwrap_or(&target)).ok()?;
    client_w
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .ok()?;
    pipe(reader, client_w, upstream);
    Some(())
}
