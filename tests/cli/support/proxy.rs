//! An HTTP CONNECT proxy on 127.0.0.1 that records where it was asked to
//! connect and pipes the bytes.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

pub struct Proxy {
    pub url: String,
    pub targets: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    pub fn start() -> Proxy {
        Proxy::start_to(None)
    }

    /// A proxy that connects every tunnel to `to`, whatever host it was
    /// asked for (so tests can use names that resolve nowhere).
    pub fn start_to(to: Option<String>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let targets = Arc::new(Mutex::new(Vec::new()));
        let seen = targets.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let seen = seen.clone();
                let to = to.clone();
                std::thread::spawn(move || tunnel(client, &seen, to));
            }
        });
        Proxy { url, targets }
    }
}

fn tunnel(client: TcpStream, seen: &Mutex<Vec<String>>, to: Option<String>) -> Option<()> {
    let mut reader = BufReader::new(client.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let target = line
        .strip_prefix("CONNECT ")?
        .split_whitespace()
        .next()?
        .to_string();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        if h.trim().is_empty() {
            break;
        }
    }
    seen.lock().unwrap().push(target.clone());
    let upstream = TcpStream::connect(to.as_deref().unwrap_or(&target)).ok()?;
    let mut client_w = client.try_clone().ok()?;
    client_w
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .ok()?;
    let mut up_r = upstream.try_clone().ok()?;
    let mut up_w = upstream;
    let down = std::thread::spawn(move || std::io::copy(&mut up_r, &mut client_w));
    let _ = std::io::copy(&mut reader, &mut up_w);
    let _ = up_w.shutdown(std::net::Shutdown::Write);
    let _ = down.join();
    Some(())
}
