//! Request logging at kubectl's `-v` levels, in the lines client-go's
//! debugging round tripper writes (`transport/round_trippers.go`) under a
//! klog-style header, to standard error:
//!
//! - 6: `GET https://host:6443/api 200 OK in 12 milliseconds`
//! - 7: the method and URL, `Request Headers:` with each header, and
//!   `Response Status: 200 OK in 12 milliseconds`
//! - 8: also `Response Headers:`, and the request and response bodies
//!   (cut at 1,024 characters below level 10, as client-go's rest client)
//! - 9: a `curl` command in place of the method, URL and headers
//!
//! Credentials never appear: an `Authorization` or `Proxy-Authorization`
//! value keeps only its scheme (`Bearer <masked>`, client-go's
//! `maskValue`), and in JSON bodies the values of `token`, `password`,
//! `data`, `stringData`, `client-key-data` and `id-token` are replaced by
//! `<masked>` (client-go prints a Secret's data; kauth does not).

use std::time::Duration;

use crate::ClientError;
use crate::http::Response;

/// Writes one log line with klog's header (`I1203 19:35:21.123456 pid`).
fn line(message: &str) {
    let now = time::OffsetDateTime::now_utc();
    eprintln!(
        "I{:02}{:02} {:02}:{:02}:{:02}.{:06} {:>7} kauth] {message}",
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond(),
        std::process::id()
    );
}

/// client-go's `maskValue`: an authorization header keeps its scheme.
pub fn mask(name: &str, value: &str) -> String {
    if !name.eq_ignore_ascii_case("authorization")
        && !name.eq_ignore_ascii_case("proxy-authorization")
    {
        return value.to_string();
    }
    if value.is_empty() {
        return String::new();
    }
    let scheme = value.split(' ').next().unwrap_or(value);
    if !["bearer", "basic", "negotiate"].contains(&scheme.to_ascii_lowercase().as_str()) {
        return "<masked>".to_string();
    }
    if value.len() > scheme.len() + 1 {
        format!("{scheme} <masked>")
    } else {
        scheme.to_string()
    }
}

/// A body for the log: JSON with its secret values masked, cut below
/// level 10.
fn body_text(level: u8, body: &[u8]) -> String {
    const SECRET_KEYS: [&str; 6] = [
        "token",
        "password",
        "data",
        "stringData",
        "client-key-data",
        "id-token",
    ];
    fn masked(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if SECRET_KEYS.contains(&k.as_str()) && !v.is_null() {
                        *v = serde_json::Value::String("<masked>".into());
                    } else {
                        masked(v);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(masked),
            _ => {}
        }
    }
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut json) => {
            masked(&mut json);
            json.to_string()
        }
        // Not JSON: only its size, since kauth cannot tell what it holds.
        Err(_) => format!("<{} bytes, not JSON>", body.len()),
    };
    let chars = text.chars().count();
    if level < 10 && chars > 1024 {
        let cut: String = text.chars().take(1024).collect();
        format!("{cut} [truncated {} chars]", chars - 1024)
    } else {
        text
    }
}

/// What client-go logs before a request.
pub fn request(
    level: u8,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<&[u8]>,
) {
    if level >= 9 {
        let flags: String = headers
            .iter()
            .map(|(k, v)| format!(" -H {:?}", format!("{k}: {}", mask(k, v))))
            .collect();
        line(&format!("curl -v -X{method} {flags} '{url}'"));
    } else if level >= 7 {
        line(&format!("{method} {url}"));
        line("Request Headers:");
        for (k, v) in headers {
            line(&format!("    {k}: {}", mask(k, v)));
        }
    }
    if level >= 8
        && let Some(body) = body.filter(|b| !b.is_empty())
    {
        line(&format!("Request Body: {}", body_text(level, body)));
    }
}

/// What client-go logs after a request.
pub fn response(
    level: u8,
    method: &str,
    url: &str,
    result: &Result<Response, ClientError>,
    took: Duration,
) {
    if level < 6 {
        return;
    }
    let ms = took.as_millis();
    let status = match result {
        Ok(r) => format!("{} {}", r.status, r.reason),
        Err(_) => String::new(),
    };
    if level == 6 {
        line(&format!("{method} {url} {status} in {ms} milliseconds"));
        return;
    }
    line(&format!("Response Status: {status} in {ms} milliseconds"));
    let Ok(response) = result else {
        return;
    };
    if level >= 8 {
        line("Response Headers:");
        for (k, v) in &response.headers {
            line(&format!("    {k}: {}", mask(k, v)));
        }
        if !response.body.is_empty() {
            line(&format!(
                "Response Body: {}",
                body_text(level, &response.body)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_masked_as_client_go_masks_them() {
        assert_eq!(mask("Authorization", "Bearer abc"), "Bearer <masked>");
        assert_eq!(mask("authorization", "Basic YWRtaW4="), "Basic <masked>");
        assert_eq!(mask("Authorization", "Bearer"), "Bearer");
        assert_eq!(mask("Authorization", "abc.def"), "<masked>");
        assert_eq!(mask("Proxy-Authorization", "Basic x"), "Basic <masked>");
        assert_eq!(mask("Accept", "application/json"), "application/json");
        let body = br#"{"kind":"Secret","data":{"token":"c2VjcmV0"},"status":{"token":"eyJ"}}"#;
        let text = body_text(8, body);
        assert!(
            !text.contains("c2VjcmV0") && !text.contains("eyJ"),
            "{text}"
        );
        assert!(body_text(8, "x".repeat(2000).as_bytes()).contains("2000 bytes"));
    }
}
