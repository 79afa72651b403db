//! kauth's integration tests: one crate that runs the real binary on real
//! files, side by side with the references (kubectl, openssl, keytool,
//! Python's `cryptography`, a test API server, recordings from a real
//! kube-apiserver). Shared helpers live in `support`.

mod support;

mod apiserver_chain;
mod auth;
mod authn_replay;
mod base64_go;
mod bearer_header;
mod chain_replay;
mod completion;
mod config_lint;
mod config_safety;
mod corpus;
mod csr;
mod csv_go;
mod docs_examples;
mod front_proxy;
mod hostile_files;
mod hostile_http;
mod import_export;
mod jwt_claims_go;
mod jwt_replay;
mod kubectl_parity;
mod no_panics;
mod online;
mod p12;
mod pki;
mod pki_openssl;
mod proxy_go;
mod rbac_replay;
mod recorded_apiserver;
mod request_target_go;
mod sa;
mod template_go;
mod x509_go;
mod x509_replay;
