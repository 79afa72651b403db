//! The text formats kauth reads and writes with the rules of the Go code
//! Kubernetes is built from: YAML as kubectl reads and writes it, JSON as
//! `encoding/json` prints it, kubectl's JSONPath and Go templates, Go's CSV, base64 and time.
//!
//! This crate is the bottom of kauth's layers: it depends on no other
//! kauth crate, does no I/O and reads no environment.

pub mod base64;
pub mod csv;
pub mod duration;
pub mod gotemplate;
pub mod json;
pub mod jsonpath;
pub mod time;
pub mod url;
pub mod yaml;
