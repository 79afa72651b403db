//! The values a template sees, as Go's `reflect.Value`s of the data
//! kubectl hands it: `json.Unmarshal` into `map[string]interface{}` with
//! `sigs.k8s.io/json`'s integer preservation, so a whole number is an
//! `int64` and any other an `float64`; maps are `map[string]interface {}`,
//! lists `[]interface {}`, and a JSON `null` an empty `interface {}`.
//!
//! A value read out of a map or a list is still wrapped in its
//! `interface {}` ([`Value::Elem`]) until a pipeline stage ends; Go's
//! error texts tell the two apart ("in type interface {}").

use std::borrow::Cow;

use serde_json::{Map, Value as Json};

#[derive(Debug, Clone)]
pub(super) enum Value<'a> {
    /// The zero `reflect.Value`: a missing key, or nothing at all.
    Invalid,
    /// An `interface {}` holding a JSON value (`null`: a nil interface).
    Elem(&'a Json),
    Bool(bool),
    /// Go's `int`: constants, `len`.
    Int(i64),
    /// `int64`: a whole number of the data.
    Int64(i64),
    /// `uint8`: a byte of a string, from `index`.
    Byte(u8),
    Float(f64),
    Complex(f64, f64),
    Str(Cow<'a, [u8]>),
    /// `[]interface {}`.
    List(ListRef<'a>),
    Map(&'a Map<String, Json>),
}

/// A `[]interface {}` of the data, or a `slice` of one: elements, then
/// the nil ones a slice reaching past the length into the capacity that
/// `json.Unmarshal` left shows, and that capacity.
#[derive(Debug, Clone, Copy)]
pub(super) struct ListRef<'a> {
    items: &'a [Json],
    nils: usize,
    pub cap: usize,
}

impl<'a> ListRef<'a> {
    pub fn new(items: &'a [Json]) -> Self {
        ListRef {
            items,
            nils: 0,
            cap: decoded_capacity(items.len()),
        }
    }

    pub fn len(&self) -> usize {
        self.items.len() + self.nils
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Element `i` (below [`len`](Self::len)), in its interface.
    pub fn get(&self, i: usize) -> Value<'a> {
        Value::Elem(self.items.get(i).unwrap_or(&NULL))
    }

    /// `s[from:to:cap]`, bounds checked by the caller.
    pub fn sub(&self, from: usize, to: usize, cap: usize) -> Self {
        let n = self.items.len();
        ListRef {
            items: &self.items[from.min(n)..to.min(n)],
            nils: to - from.max(n).min(to),
            cap: cap - from,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Value<'a>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

/// The nil interface a map yields for a key it lacks (`reflect.Zero`).
pub(super) static NULL: Json = Json::Null;

impl<'a> Value<'a> {
    /// The value held by an `interface {}` (`indirectInterface`, and the
    /// unwrapping at the end of each pipeline stage).
    pub fn concrete(&self) -> Value<'a> {
        match self {
            Value::Elem(j) => from_json(j),
            other => other.clone(),
        }
    }

    /// `indirect`: through the interface; a nil one stays, marked nil.
    pub fn indirect(&self) -> (Value<'a>, bool) {
        match self {
            Value::Elem(Json::Null) => (self.clone(), true),
            Value::Elem(j) => (from_json(j), false),
            other => (other.clone(), false),
        }
    }

    pub fn is_valid(&self) -> bool {
        !matches!(self, Value::Invalid)
    }

    /// `Type().String()`; the zero value has no type.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Invalid => "<nil>",
            Value::Elem(_) => "interface {}",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Byte(_) => "uint8",
            Value::Float(_) => "float64",
            Value::Complex(..) => "complex128",
            Value::Str(_) => "string",
            Value::List(..) => "[]interface {}",
            Value::Map(_) => "map[string]interface {}",
        }
    }

    /// `isTrue`: the zero value, zero numbers, empty strings, lists and
    /// maps, `false` and nil are false.
    pub fn truth(&self) -> bool {
        match self.concrete() {
            Value::Invalid | Value::Elem(_) => false,
            Value::Bool(b) => b,
            Value::Int(i) | Value::Int64(i) => i != 0,
            Value::Byte(b) => b != 0,
            Value::Float(f) => f != 0.0,
            Value::Complex(r, i) => r != 0.0 || i != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
        }
    }

    pub fn str(s: &'a str) -> Value<'a> {
        Value::Str(Cow::Borrowed(s.as_bytes()))
    }
}

/// A JSON value as the Go value it decodes to (not wrapped).
pub(super) fn from_json(j: &Json) -> Value<'_> {
    match j {
        Json::Null => Value::Invalid,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => number(n),
        Json::String(s) => Value::str(s),
        Json::Array(a) => Value::List(ListRef::new(a)),
        Json::Object(m) => Value::Map(m),
    }
}

/// A JSON number as kubectl's decoder reads the text Go's encoder wrote
/// for it: `strconv.ParseInt` first (so `1000000` and `1e6` alike, printed
/// `1000000`, are `int64`), else `float64`.
fn number(n: &serde_json::Number) -> Value<'static> {
    if let Some(i) = n.as_i64() {
        return Value::Int64(i);
    }
    if let Some(u) = n.as_u64() {
        return Value::Float(u as f64);
    }
    let f = n.as_f64().unwrap_or(0.0);
    // Go's encoder writes whole numbers below 1e21 without an exponent.
    match super::literal::exact_i64(f) {
        Some(i) => Value::Int64(i),
        None => Value::Float(f),
    }
}

/// The capacity of a `[]interface{}` of `len` elements that
/// `encoding/json` built by appending one at a time (Go's slice growth
/// rounded up to the allocator's size classes, 16 bytes an element).
/// `slice` may reach past the length up to it, as in Go.
fn decoded_capacity(len: usize) -> usize {
    let mut cap = 0usize;
    while cap < len {
        let new_len = cap + 1;
        let mut new_cap = if cap < 256 {
            (cap * 2).max(new_len)
        } else {
            let mut c = cap;
            while c < new_len {
                c += (c + 3 * 256) >> 2;
            }
            c
        };
        if new_cap < new_len {
            new_cap = new_len;
        }
        cap = round_up_size(new_cap * 16) / 16;
    }
    cap
}

/// Go's `roundupsize` for objects with pointers: malloc size classes
/// (runtime/sizeclasses.go), with the 8-byte header of objects over 512
/// bytes; larger sizes round up to whole 8 KiB pages.
fn round_up_size(size: usize) -> usize {
    const CLASSES: [usize; 68] = [
        0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288,
        320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536,
        1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192,
        9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576,
        27264, 28672, 32768,
    ];
    const HEADER: usize = 8;
    if size <= 32768 - HEADER {
        let request = if size > 512 { size + HEADER } else { size };
        let class = CLASSES
            .iter()
            .find(|&&c| c >= request)
            .copied()
            .unwrap_or(32768);
        return class - (request - size);
    }
    size.div_ceil(8192) * 8192
}
