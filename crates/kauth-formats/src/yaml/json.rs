//! Nodes to JSON, as `sigs.k8s.io/yaml` (`YAMLToJSON`) converts what
//! go-yaml v2 read.

use serde_json::{Map, Number, Value};

use super::scalar::format_go_float;
use super::{Node, NodeKind, Scalar};

/// Converts a node to JSON as `sigs.k8s.io/yaml` does (non-string map keys
/// become their text).
pub fn to_json(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Scalar(s) => scalar_to_json(s),
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Map(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                map.insert(key_string(k), to_json(v));
            }
            Value::Object(map)
        }
    }
}

fn key_string(node: &Node) -> String {
    match &node.kind {
        NodeKind::Scalar(Scalar::Str(s)) => s.clone(),
        NodeKind::Scalar(Scalar::Null) => "null".to_string(),
        NodeKind::Scalar(Scalar::Bool(b)) => b.to_string(),
        NodeKind::Scalar(Scalar::Int(i)) => i.to_string(),
        NodeKind::Scalar(Scalar::Uint(i)) => i.to_string(),
        NodeKind::Scalar(Scalar::Float(f)) => format_go_float(*f),
        other => to_json(&Node {
            line: 0,
            kind: other.clone(),
        })
        .to_string(),
    }
}

fn scalar_to_json(s: &Scalar) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Bool(b) => Value::Bool(*b),
        Scalar::Int(i) => Value::Number((*i).into()),
        Scalar::Uint(i) => Value::Number((*i).into()),
        Scalar::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Scalar::Str(s) => Value::String(s.clone()),
    }
}
