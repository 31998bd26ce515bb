//! The JSON parsers measured against our own (issue 13, point 9), shared by `benches/paired.rs`
//! (wall clock) and `examples/profile-loop.rs` (instructions under callgrind).
//!
//! Our parser is the library's own source (`src/json/`), compiled into the bench as a module:
//! the library keeps it crate-private, and this measures exactly the code the engine runs.
//! Each crate is measured twice:
//!
//! - *its own value*: `simd_json::to_borrowed_value` (on a copy of the body: simd-json
//!   unescapes strings in place, and the engine is handed the body as `&[u8]`) and
//!   `sonic_rs::from_slice::<sonic_rs::Value>`;
//! - *into the engine's tree*: what the engine would need, since everything after the parse
//!   reads a `Json<'a>` tree in a bump arena. [`Tree`] has `Json`'s exact shape (its fields
//!   are private to the library, so the bench cannot build a `Json` itself; [`same_shape`]
//!   holds the two to the same size), built from simd-json's tape and from sonic-rs's serde
//!   front end, strings borrowed, duplicate keys resolved and depth capped as `Json` does.
//!
//! Parser state a server would keep per thread (simd-json's buffers and tape) is kept between
//! runs, which is the crates' best case.

use bumpalo::collections::Vec as BumpVec;
use indexmap::IndexMap;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use simd_json::{Node, StaticNode, Tape};

#[path = "../../src/json/mod.rs"]
#[allow(dead_code, unused_imports)]
mod json;

pub(crate) use json::{Arena, Json, Num, MAX_NESTING};

/// Arena bytes per body byte, as the engine sizes a request's arena (`src/engine.rs`).
const ARENA_PER_BODY_BYTE: usize = 3;

/// A fresh arena for one body, sized as the engine sizes it.
pub fn arena_for(body: &[u8]) -> Arena {
    Arena::with_capacity(body.len() * ARENA_PER_BODY_BYTE + 1024)
}

/// Our parser as the engine calls it: UTF-8 check, `fast.rs`, `serde_json` as the fallback.
pub fn ours<'a>(body: &'a [u8], arena: &'a Arena) -> Option<Json<'a>> {
    json::parse(body, arena, MAX_NESTING).ok()
}

/// `Json<'a>`'s shape, built by the crates' front ends (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tree<'a> {
    Null,
    Bool(bool),
    Number(Num),
    String(&'a str),
    Array(&'a [Tree<'a>]),
    /// Keys in order of first appearance, each once (the last value wins).
    Object(&'a [(&'a str, Tree<'a>)]),
}

/// True when [`Tree`] and the library's `Json` take the same room, so that building one costs
/// what building the other would.
pub fn same_shape() -> bool {
    std::mem::size_of::<Tree<'_>>() == std::mem::size_of::<Json<'_>>()
}

/// `pairs` as an object: kept where it is when its keys are distinct, else rebuilt with the
/// last value of each key at its first position (`serde_json::Value`'s reading).
fn object<'a>(arena: &'a Arena, pairs: &'a [(&'a str, Tree<'a>)]) -> Tree<'a> {
    let distinct = if pairs.len() <= 16 {
        pairs.iter().enumerate().all(|(i, (k, _))| pairs.iter().take(i).all(|(p, _)| p != k))
    } else {
        let mut keys: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        keys.windows(2).all(|w| w.first() != w.last())
    };
    if distinct {
        return Tree::Object(pairs);
    }
    let merged: IndexMap<&'a str, Tree<'a>> = pairs.iter().copied().collect();
    Tree::Object(arena.alloc_slice_fill_iter(merged))
}

/// A number as `serde_json` classes it: non-negative integers are `PosInt`.
fn number(n: StaticNode) -> Tree<'static> {
    Tree::Number(match n {
        StaticNode::I64(i) => u64::try_from(i).map_or(Num::NegInt(i), Num::PosInt),
        StaticNode::U64(u) => Num::PosInt(u),
        StaticNode::F64(f) => Num::Float(f),
        StaticNode::Bool(b) => return Tree::Bool(b),
        StaticNode::Null => return Tree::Null,
    })
}

/// simd-json, with the buffers and the tape a server would keep per thread.
pub struct SimdJson {
    buffers: simd_json::Buffers,
    /// Emptied after each parse, so it outlives the bodies it read.
    tape: Option<Tape<'static>>,
}

impl SimdJson {
    pub fn new() -> Self {
        SimdJson { buffers: simd_json::Buffers::new(64 * 1024), tape: Some(Tape::null()) }
    }

    /// simd-json's own value (its objects are hash maps: see BENCHMARKS.md).
    pub fn value<'a>(&mut self, body: &[u8], arena: &'a Arena) -> Option<simd_json::BorrowedValue<'a>> {
        let copy = arena.alloc_slice_copy(body);
        simd_json::to_borrowed_value_with_buffers(copy, &mut self.buffers).ok()
    }

    /// The body read by simd-json's tape into the engine's tree.
    pub fn tree<'a>(&mut self, body: &[u8], arena: &'a Arena) -> Option<Tree<'a>> {
        let copy = arena.alloc_slice_copy(body);
        let mut tape: Tape<'a> = self.tape.take().unwrap_or_else(Tape::null).reset();
        let read = simd_json::fill_tape(copy, &mut self.buffers, &mut tape).ok().and_then(|()| {
            let mut at = 0;
            let tree = from_tape(&tape.0, &mut at, arena, 0)?;
            (at == tape.0.len()).then_some(tree)
        });
        self.tape = Some(tape.reset());
        read
    }
}

/// The value starting at `nodes[*at]`, `depth` containers deep; `None` past [`MAX_NESTING`].
fn from_tape<'a>(nodes: &[Node<'a>], at: &mut usize, arena: &'a Arena, depth: usize) -> Option<Tree<'a>> {
    let node = *nodes.get(*at)?;
    *at += 1;
    match node {
        Node::Static(n) => Some(number(n)),
        Node::String(s) => Some(Tree::String(s)),
        Node::Array { len, .. } if depth < MAX_NESTING => {
            let mut items = BumpVec::with_capacity_in(len, arena);
            for _ in 0..len {
                items.push(from_tape(nodes, at, arena, depth + 1)?);
            }
            Some(Tree::Array(items.into_bump_slice()))
        }
        Node::Object { len, .. } if depth < MAX_NESTING => {
            let mut pairs = BumpVec::with_capacity_in(len, arena);
            for _ in 0..len {
                let Node::String(key) = *nodes.get(*at)? else { return None };
                *at += 1;
                pairs.push((key, from_tape(nodes, at, arena, depth + 1)?));
            }
            Some(object(arena, pairs.into_bump_slice()))
        }
        Node::Array { .. } | Node::Object { .. } => None,
    }
}

/// sonic-rs's own value.
pub fn sonic_value(body: &[u8]) -> Option<sonic_rs::Value> {
    sonic_rs::from_slice(body).ok()
}

/// The body read by sonic-rs's serde front end into the engine's tree (UTF-8 checked first,
/// as the engine checks it).
pub fn sonic_tree<'a>(body: &'a [u8], arena: &'a Arena) -> Option<Tree<'a>> {
    let text = simdutf8::basic::from_utf8(body).ok()?;
    let mut de = sonic_rs::Deserializer::from_str(text);
    let tree = Seed { depth: 0, arena }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(tree)
}

/// Reads one value `depth` containers deep into the arena.
#[derive(Clone, Copy)]
struct Seed<'a> {
    depth: usize,
    arena: &'a Arena,
}

impl<'a> DeserializeSeed<'a> for Seed<'a> {
    type Value = Tree<'a>;

    fn deserialize<D: Deserializer<'a>>(self, d: D) -> Result<Tree<'a>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'a> Visitor<'a> for Seed<'a> {
    type Value = Tree<'a>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_unit<E>(self) -> Result<Tree<'a>, E> {
        Ok(Tree::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Tree<'a>, E> {
        Ok(Tree::Bool(b))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Tree<'a>, E> {
        Ok(Tree::Number(Num::PosInt(u)))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Tree<'a>, E> {
        Ok(number(StaticNode::I64(i)))
    }

    fn visit_f64<E: serde::de::Error>(self, f: f64) -> Result<Tree<'a>, E> {
        f.is_finite().then_some(Tree::Number(Num::Float(f))).ok_or_else(|| E::custom("not finite"))
    }

    fn visit_borrowed_str<E>(self, s: &'a str) -> Result<Tree<'a>, E> {
        Ok(Tree::String(s))
    }

    fn visit_str<E>(self, s: &str) -> Result<Tree<'a>, E> {
        Ok(Tree::String(self.arena.alloc_str(s)))
    }

    fn visit_seq<A: SeqAccess<'a>>(self, mut seq: A) -> Result<Tree<'a>, A::Error> {
        let inner = self.inner()?;
        let mut items = BumpVec::with_capacity_in(seq.size_hint().unwrap_or(8), self.arena);
        while let Some(v) = seq.next_element_seed(inner)? {
            items.push(v);
        }
        Ok(Tree::Array(items.into_bump_slice()))
    }

    fn visit_map<A: MapAccess<'a>>(self, mut map: A) -> Result<Tree<'a>, A::Error> {
        let inner = self.inner()?;
        let mut pairs = BumpVec::with_capacity_in(map.size_hint().unwrap_or(8), self.arena);
        // A key is read as any string is, borrowed when it has no escapes.
        while let Some(k) = map.next_key_seed(self)? {
            let Tree::String(k) = k else { return Err(serde::de::Error::custom("a key that is not a string")) };
            pairs.push((k, map.next_value_seed(inner)?));
        }
        Ok(object(self.arena, pairs.into_bump_slice()))
    }
}

impl Seed<'_> {
    /// The seed for a container's members, or an error past [`MAX_NESTING`].
    fn inner<E: serde::de::Error>(self) -> Result<Self, E> {
        (self.depth < MAX_NESTING)
            .then_some(Seed { depth: self.depth + 1, ..self })
            .ok_or_else(|| E::custom("too deep"))
    }
}
