//! A composition that is never copied whole. wac-graph encodes the composition with each
//! component it defines imported instead (a few kilobytes: the instances, aliases, exports and
//! each component's type); each such import is then replaced by the component itself, as the
//! bytes read from its file, at the same place in the component index space. The result is
//! validated and written piece by piece, so a composition of large components takes no more
//! memory than its inputs and copies each byte once, into the output file.
//!
//! Against wac-graph's own definition of the components it differs only by the type each
//! import had, kept (unused) in the type index space so that no later index moves.

use std::io::{self, Write};
use std::ops::Range;
use wac_graph::{CompositionGraph, PackageId};
use wasm_encoder::Encode;
use wasmparser::{BinaryReaderError, ComponentTypeRef, Parser, Payload};

/// The section id of a nested component.
const COMPONENT_SECTION: u8 = 4;
/// The section id of component imports.
const IMPORT_SECTION: u8 = 10;

/// The bytes of a composed component, whole or as pieces.
#[derive(Clone)]
pub struct ComposedWasm {
    /// What wac-graph wrote, and the section headers put around what it imported.
    glue: Vec<u8>,
    /// The binary in order.
    parts: Vec<Part>,
    /// Owns the defined components' bytes (none when `glue` is the whole binary).
    graph: Option<Box<CompositionGraph>>,
}

#[derive(Clone)]
enum Part {
    Glue(Range<usize>),
    Package(PackageId),
}

impl std::fmt::Debug for ComposedWasm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ComposedWasm")
            .field("len", &self.len())
            .field("pieces", &self.parts.len())
            .finish()
    }
}

impl ComposedWasm {
    /// A binary held whole.
    pub(crate) fn whole(bytes: Vec<u8>) -> Self {
        let parts = vec![Part::Glue(0..bytes.len())];
        ComposedWasm {
            glue: bytes,
            parts,
            graph: None,
        }
    }

    /// The binary's pieces in order, section boundaries between them.
    pub fn pieces(&self) -> Vec<&[u8]> {
        self.parts
            .iter()
            .map(|part| match part {
                Part::Glue(range) => &self.glue[range.clone()],
                Part::Package(id) => self
                    .graph
                    .as_ref()
                    .expect("a spliced binary keeps its graph")[*id]
                    .bytes(),
            })
            .collect()
    }

    /// The binary's length in bytes.
    pub fn len(&self) -> usize {
        self.pieces().iter().map(|piece| piece.len()).sum()
    }

    /// Whether the binary is empty (a composition only checked, never encoded).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the binary to `out`, piece by piece.
    pub fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        self.pieces()
            .into_iter()
            .try_for_each(|piece| out.write_all(piece))
    }

    /// The binary as one vector (a copy, unless it was held whole).
    pub fn into_vec(self) -> Vec<u8> {
        if self.graph.is_none() {
            return self.glue;
        }
        self.pieces().concat()
    }
}

/// `skeleton`, encoded by wac-graph from `graph` with its components imported, with each
/// import named in `imported` replaced by that package's bytes.
pub(crate) fn splice(
    skeleton: Vec<u8>,
    graph: CompositionGraph,
    imported: &[(String, PackageId)],
) -> Result<ComposedWasm, BinaryReaderError> {
    let mut glue = Vec::with_capacity(skeleton.len() + 16 * imported.len());
    let mut parts = Vec::new();
    // Glue written since the last part was closed.
    let mut open = 0;
    let mut depth = 0u32;
    // Where the next outer section begins (after the 8-byte preamble).
    let mut section_start = 0;
    for payload in Parser::new(0).parse_all(&skeleton) {
        let payload = payload?;
        let outer = depth == 0;
        match &payload {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        if !outer {
            continue;
        }
        let end = match &payload {
            Payload::Version { range, .. } => range.end as usize,
            Payload::ModuleSection {
                unchecked_range, ..
            }
            | Payload::ComponentSection {
                unchecked_range, ..
            } => unchecked_range.end as usize,
            Payload::End(_) => break,
            other => match other.as_section() {
                Some((_, range)) => range.end as usize,
                None => continue,
            },
        };
        if let Payload::ComponentImportSection(reader) = &payload {
            let section_end = end;
            let mut kept: Vec<Range<usize>> = Vec::new();
            let mut entries = reader.clone().into_iter_with_offsets().peekable();
            while let Some(entry) = entries.next() {
                let (at, import) = entry?;
                let at = at as usize;
                let next = match entries.peek() {
                    Some(Ok((next, _))) => *next as usize,
                    _ => section_end,
                };
                let package = match import.ty {
                    ComponentTypeRef::Component(_) => imported
                        .iter()
                        .find(|(name, _)| name == import.name.name)
                        .map(|(_, id)| *id),
                    _ => None,
                };
                match package {
                    None => kept.push(at..next),
                    Some(id) => {
                        write_imports(&mut glue, &skeleton, &kept);
                        kept.clear();
                        let len = graph[id].bytes().len();
                        glue.push(COMPONENT_SECTION);
                        len.encode(&mut glue);
                        parts.push(Part::Glue(open..glue.len()));
                        parts.push(Part::Package(id));
                        open = glue.len();
                    }
                }
            }
            write_imports(&mut glue, &skeleton, &kept);
        } else {
            glue.extend_from_slice(&skeleton[section_start..end]);
        }
        section_start = end;
    }
    parts.push(Part::Glue(open..glue.len()));
    Ok(ComposedWasm {
        glue,
        parts,
        graph: Some(Box::new(graph)),
    })
}

/// An import section of the entries at `ranges` of `skeleton` (nothing when there are none).
fn write_imports(glue: &mut Vec<u8>, skeleton: &[u8], ranges: &[Range<usize>]) {
    if ranges.is_empty() {
        return;
    }
    let mut contents = Vec::new();
    ranges.len().encode(&mut contents);
    for range in ranges {
        contents.extend_from_slice(&skeleton[range.clone()]);
    }
    glue.push(IMPORT_SECTION);
    contents.as_slice().encode(glue);
}

#[cfg(test)]
mod tests {
    use crate::{compose, Component, Options};
    use wasmparser::{Parser, Payload};

    const SOCKET: &str = r#"(component
        (import "a:b/c" (instance $i (export "f" (func (result u32)))))
        (alias export $i "f" (func $f))
        (export "g" (func $f))
    )"#;

    const PLUG: &str = r#"(component
        (core module $m (func (export "f") (result i32) i32.const 7))
        (core instance $mi (instantiate $m))
        (func $f (result u32) (canon lift (core func $mi "f")))
        (instance $out (export "f" (func $f)))
        (export "a:b/c" (instance $out))
    )"#;

    #[test]
    fn the_components_are_defined_as_read_and_nothing_is_imported_in_their_place() {
        let socket = wat::parse_str(SOCKET).unwrap();
        let plug = wat::parse_str(PLUG).unwrap();
        let components = vec![
            Component {
                name: "app".into(),
                bytes: socket.clone(),
            },
            Component {
                name: "greeter".into(),
                bytes: plug.clone(),
            },
        ];
        let composed = compose(components, &Options::default()).unwrap();
        assert_eq!(composed.plan.fills.len(), 1);
        let pieces = composed.wasm.pieces();
        assert_eq!(pieces.len(), 5, "glue, component, glue, component, glue");
        let bytes = composed.wasm.clone().into_vec();
        assert_eq!(bytes.len(), composed.wasm.len());
        let mut written = Vec::new();
        composed.wasm.write_to(&mut written).unwrap();
        assert_eq!(written, bytes);
        wasmparser::Validator::new().validate_all(&bytes).unwrap();

        let mut nested = Vec::new();
        let mut outer_imports = Vec::new();
        let mut depth = 0;
        for payload in Parser::new(0).parse_all(&bytes) {
            match payload.unwrap() {
                Payload::ComponentSection {
                    unchecked_range, ..
                } => {
                    if depth == 0 {
                        let range = unchecked_range.start as usize..unchecked_range.end as usize;
                        nested.push(bytes[range].to_vec());
                    }
                    depth += 1;
                }
                Payload::ModuleSection { .. } => depth += 1,
                Payload::End(_) => depth -= 1,
                Payload::ComponentImportSection(reader) if depth == 0 => {
                    for import in reader {
                        outer_imports.push(import.unwrap().name.name.to_string());
                    }
                }
                _ => {}
            }
        }
        assert!(nested.contains(&socket) && nested.contains(&plug));
        assert_eq!(nested.len(), 2);
        assert!(outer_imports.is_empty(), "{outer_imports:?}");
    }
}
