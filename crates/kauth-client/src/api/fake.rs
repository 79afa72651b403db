//! A server for the operations' tests: plain HTTP, one canned answer per
//! connection, and a record of what was asked.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::{Client, Settings};

/// What the server was asked: `METHOD PATH` and the JSON body (null
/// without one).
pub(crate) type Seen = Arc<Mutex<Vec<(String, Value)>>>;

/// A client of a server that gives these answers, in order, then stops.
pub(crate) fn serve(answers: Vec<(u16, Value)>) -> (Client, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen: Seen = Arc::default();
    let record = seen.clone();
    std::thread::spawn(move || {
        for (code, body) in answers {
            let (tcp, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(tcp);
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let request: Vec<&str> = line.split(' ').take(2).collect();
            let mut length = 0;
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                if h.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut sent = vec![0; length];
            reader.read_exact(&mut sent).unwrap();
            let sent = serde_json::from_slice(&sent).unwrap_or(Value::Null);
            record.lock().unwrap().push((request.join(" "), sent));
            let text = body.to_string();
            let mut tcp = reader.into_inner();
            write!(
                tcp,
                "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{text}",
                text.len()
            )
            .unwrap();
        }
    });
    let client = Client::new(Settings {
        server: format!("http://127.0.0.1:{port}"),
        ..Settings::default()
    })
    .unwrap();
    (client, seen)
}

/// The requests so far, without their bodies.
pub(crate) fn requests(seen: &Seen) -> Vec<String> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|(r, _)| r.clone())
        .collect()
}

/// A recorded answer of a real API server.
pub(crate) fn recorded(file: &str) -> Value {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/apiserver")
        .join(file);
    let v: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
    v["response"]["body"].clone()
}
