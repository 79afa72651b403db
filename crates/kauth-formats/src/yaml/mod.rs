//! The only module that knows YAML.
//!
//! Reading follows what kubectl does with a kubeconfig: `sigs.k8s.io/yaml`
//! turns YAML into JSON with go-yaml v2's YAML 1.1 rules (so a bare `on` is
//! the boolean `true` and a bare `123` a number), then Go's `encoding/json`
//! fills the typed structs. Unlike kubectl, every node keeps its line, so a
//! type error names the line it comes from.
//!
//! Writing reproduces go-yaml v2's emitter (`yaml.Marshal` of the JSON
//! document, keys sorted, block sequences not indented inside mappings,
//! strings quoted only where a plain scalar would read back as something
//! else, long lines folded at column 80) so that files kauth writes are
//! byte-identical to what `kubectl config` writes.
//!
//! One file per job: `input` (bytes to text, refused where go-yaml's
//! reader refuses them), `read` (text to nodes, with `fast`
//! for what kubectl writes), `scalar` (YAML 1.1 and Go rules for plain
//! scalars), `json` (nodes to JSON) and `emit` (JSON to go-yaml v2's text).

mod emit;
mod fast;
mod input;
mod json;
mod read;
mod scalar;

pub use emit::emit;
pub use fast::quoted;
pub use input::{any_byte, text};
pub use json::to_json;
pub use read::{parse, parse_documents};
pub use scalar::{is_plain_string, is_timestamp, resolve_plain, resolve_plain_owned};

/// A parsed YAML node with the line (1-based) it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: usize,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A scalar after YAML 1.1 resolution, as go-yaml v2 resolves it.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
}

impl Scalar {
    /// The word Go's `encoding/json` uses for this type in its errors.
    pub fn json_kind(&self) -> &'static str {
        match self {
            Scalar::Null => "null",
            Scalar::Bool(_) => "bool",
            Scalar::Int(_) | Scalar::Uint(_) | Scalar::Float(_) => "number",
            Scalar::Str(_) => "string",
        }
    }
}

impl NodeKind {
    pub fn json_kind(&self) -> &'static str {
        match self {
            NodeKind::Scalar(s) => s.json_kind(),
            NodeKind::Seq(_) => "array",
            NodeKind::Map(_) => "object",
        }
    }
}

/// A syntax error with its line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("yaml: line {line}: {message}")]
pub struct SyntaxError {
    pub line: usize,
    pub message: String,
}
