//! The proxy for a cluster without `proxy-url` is the one Go's
//! `http.ProxyFromEnvironment` picks (client-go's default): the same
//! answer as Go for every combination of `HTTPS_PROXY`/`HTTP_PROXY` forms,
//! `NO_PROXY` entries (CIDR ranges, addresses with and without ports,
//! domains with and without a leading dot, `*`) and server URLs.

use std::collections::BTreeMap;

use kauth_client::env_proxy::ProxyEnvironment;

const ENTRIES: &[&str] = &[
    "*",
    "10.0.0.0/8",
    "10.1.2.3",
    "10.1.2.3:6443",
    "10.1.2.3:443",
    "[fd00::1]:443",
    "fd00::/16",
    "fd00::1",
    "example.com",
    ".example.com",
    "*.example.com",
    "example.com:443",
    "api.example.com:6443",
    "EXAMPLE.COM",
    " example.org ",
    "localhost",
    "127.0.0.0/8",
    "::ffff:10.1.2.3",
    "10.1.2.3/32",
    "1.2.3.4/0",
    "[::1]",
    ":443",
    "example.com:",
    "a:b:c",
    "10.0.0.1/33",
    "bad/cidr",
    "",
    ".",
    "internal",
    "10.1.2.3/008",
    "[10.1.2.3]:6443",
];

const URLS: &[&str] = &[
    "https://10.1.2.3:6443/",
    "https://10.1.2.3/",
    "https://[fd00::1]:443/",
    "https://[fd00::2]:6443",
    "https://api.example.com:6443/",
    "https://example.com/",
    "https://EXAMPLE.com:443/",
    "https://other.org:6443/",
    "https://example.org/",
    "https://localhost:6443/",
    "https://LOCALHOST:6443/",
    "https://127.0.0.5:6443/",
    "https://[::1]:6443/",
    "https://[::ffff:10.1.2.3]:6443/",
    "https://internal:6443/",
    "https://sub.internal/",
    "http://10.1.2.3/",
    "https://u:p@api.example.com:6443/",
    "https://1.2.3.4:6443",
    "http://example.com:80/",
];

const PROXIES: &[&[(&str, &str)]] = &[
    &[("HTTPS_PROXY", "p:3128"), ("HTTP_PROXY", "q:8080")],
    &[("https_proxy", "http://p:3128")],
    &[("HTTPS_PROXY", ""), ("https_proxy", "socks5://s:1080")],
    &[
        ("HTTPS_PROXY", "HTTP://P:3128"),
        ("http_proxy", "q:8080"),
        ("REQUEST_METHOD", "GET"),
    ],
    &[("HTTPS_PROXY", "https://user:pw@p:3128")],
    &[],
];

#[test]
fn the_environment_proxy_is_the_one_go_picks() {
    let mut go = crate::support::go::Oracle::start("proxy");
    let mut lists: Vec<String> = ENTRIES.iter().map(|e| e.to_string()).collect();
    // Lists of three entries, the same ones at every run.
    let mut seed: u64 = 7;
    for _ in 0..60 * crate::support::go::scale() {
        let mut pick = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ENTRIES[(seed >> 33) as usize % ENTRIES.len()]
        };
        lists.push(format!("{},{} ,{}", pick(), pick(), pick()));
    }
    let mut cases = Vec::new();
    for (i, list) in lists.iter().enumerate() {
        for (j, url) in URLS.iter().enumerate() {
            let proxies = PROXIES[(i + j) % PROXIES.len()];
            let mut env: BTreeMap<String, String> = proxies
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            let key = if (i + j) % 3 == 0 {
                "no_proxy"
            } else {
                "NO_PROXY"
            };
            env.insert(key.to_string(), list.clone());
            cases.push((env, url.to_string()));
        }
    }
    let texts: Vec<String> = cases
        .iter()
        .map(|c| serde_json::to_string(&serde_json::json!({ "env": c.0, "url": c.1 })).unwrap())
        .collect();
    crate::support::go::assert_agree(&texts, |text| {
        let question: serde_json::Value = serde_json::from_str(text).unwrap();
        let answer = go.ask(&question);
        let theirs = match (answer.get("proxy"), answer.get("error")) {
            (Some(p), _) => Ok(p.as_str().unwrap().to_string()),
            (_, Some(e)) => Err(e.as_str().unwrap().to_string()),
            _ => panic!("{answer}"),
        };
        let env = question["env"].as_object().unwrap().clone();
        let lookup = |name: &str| env.get(name).and_then(|v| v.as_str()).map(String::from);
        let ours = ProxyEnvironment::from_lookup(lookup)
            .proxy_for(question["url"].as_str().unwrap())
            .map(Option::unwrap_or_default);
        (ours, theirs)
    });
}
