//! A hostile HTTP server on 127.0.0.1 (plain TCP, no TLS): it records the
//! raw bytes of every request it receives and answers with whatever a
//! test scripts (huge lengths, endless headers, broken chunking, redirects,
//! slow replies), so the client's limits and refusals can be tested.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the server does after reading a request.
#[derive(Clone)]
pub enum Answer {
    /// These bytes, then close.
    Bytes(Vec<u8>),
    /// These bytes, then `filler` again and again until the client hangs up.
    Endless { head: Vec<u8>, filler: Vec<u8> },
}

type Script = Arc<dyn Fn(&str) -> Answer + Send + Sync>;

pub struct Hostile {
    pub url: String,
    pub port: u16,
    /// Every request as received (head and body), lossily as text.
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl Hostile {
    /// A server answering every request (given its head as text) with
    /// `script`'s answer.
    pub fn start(script: impl Fn(&str) -> Answer + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let script: Script = Arc::new(script);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let seen = seen.clone();
                let script = script.clone();
                std::thread::spawn(move || serve(client, &seen, &script));
            }
        });
        Hostile {
            url: format!("http://127.0.0.1:{port}"),
            port,
            requests,
        }
    }

    /// A server giving the same bytes to every request.
    pub fn answering(bytes: &[u8]) -> Hostile {
        let bytes = bytes.to_vec();
        Hostile::start(move |_| Answer::Bytes(bytes.clone()))
    }

    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// A kubeconfig for this server with `user_yaml` as the user's fields.
    pub fn kubeconfig(&self, dir: &std::path::Path, user_yaml: &str) -> std::path::PathBuf {
        let path = dir.join("hostile.kubeconfig");
        std::fs::write(
            &path,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: h\n  cluster:\n    server: {}\ncontexts:\n- name: h\n  context: {{cluster: h, user: u}}\ncurrent-context: h\nusers:\n- name: u\n  user:\n{}\n",
                self.url, user_yaml
            ),
        )
        .unwrap();
        path
    }
}

fn serve(mut client: TcpStream, seen: &Mutex<Vec<String>>, script: &Script) {
    client.set_read_timeout(Some(Duration::from_secs(5))).ok();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    // The head, then a body of Content-Length bytes.
    let head_end = loop {
        if let Some(i) = find(&raw, b"\r\n\r\n") {
            break i + 4;
        }
        match client.read(&mut buf) {
            Ok(0) | Err(_) => break raw.len(),
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    while raw.len() < head_end + length {
        match client.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
    seen.lock()
        .unwrap()
        .push(String::from_utf8_lossy(&raw).to_string());
    match script(&head) {
        Answer::Bytes(b) => {
            let _ = client.write_all(&b);
        }
        Answer::Endless { head, filler } => {
            if client.write_all(&head).is_ok() {
                while client.write_all(&filler).is_ok() {}
            }
        }
    }
    let _ = client.shutdown(std::net::Shutdown::Write);
    // Drain so the client sees an orderly close, not a reset.
    let _ = client.read(&mut buf);
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
