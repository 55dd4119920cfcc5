//! The streaming walk: reads the preamble and then section after section, building the tree
//! as it goes. Core modules and components nest; a code section becomes its functions, a data
//! section its segments; the sections whose contents decide names and labels (imports,
//! exports, memories, names, producers) are read into memory one at a time and handed to
//! [`facts`](super::facts). When parsing stops, every open item is closed at the stop, so the
//! tree still covers every byte read.

use super::data_hint::HintBuilder;
use super::facts::{ComponentFacts, ModuleFacts, Summary};
use super::stream::Stream;
use super::{Item, ItemKind, SizeReport, Stop};
use std::collections::HashMap;
use std::io::Read;
use wasmparser::BinaryReader;

/// Walks the whole input.
pub(super) fn walk<R: Read>(mut s: Stream<R>) -> SizeReport {
    let mut root = Item::new("file", ItemKind::Unparsed, 0, 0);
    let stopped = container(&mut s, None, &mut root, &mut Summary::default()).err();
    let unparsed_from = s.pos();
    let rest = s.drain();
    if rest > 0 {
        let mut unparsed = Item::new("unparsed", ItemKind::Unparsed, unparsed_from, rest);
        unparsed.name = format!("unparsed (from {unparsed_from:#x})");
        root.children.push(unparsed);
    }
    root.size = s.pos();
    root.name = match root.kind {
        ItemKind::Component => "component",
        ItemKind::Module => "module",
        _ => "file",
    }
    .to_string();
    SizeReport {
        file_size: s.pos(),
        root,
        stopped,
    }
}

/// Reads one module or component (preamble and sections) into `item`, up to `end` (the end
/// of the enclosing section) or the end of the input.
fn container<R: Read>(
    s: &mut Stream<R>,
    end: Option<u64>,
    item: &mut Item,
    summary: &mut Summary,
) -> Result<(), Stop> {
    let start = s.pos();
    let preamble = s.peek(8)?.to_vec();
    if preamble.len() < 8 {
        let stop = s.truncated();
        item.size = s.pos() - item.offset;
        return Err(stop);
    }
    let kind = match preamble_kind(&preamble) {
        Ok(kind) => kind,
        // Nothing is read: the bytes go to `unparsed`.
        Err(message) => return Err(Stop::new(start, message)),
    };
    s.consume(8);
    item.kind = kind;
    item.children
        .push(Item::new("header", ItemKind::Header, start, 8));
    let result = match kind {
        ItemKind::Module => module_sections(s, end, item, summary),
        _ => component_sections(s, end, item),
    };
    item.size = s.pos() - item.offset;
    result
}

/// Module or component, from the magic number and version.
fn preamble_kind(preamble: &[u8]) -> Result<ItemKind, String> {
    if &preamble[..4] != b"\0asm" {
        return Err("not a wasm module or component (no \\0asm magic number)".to_string());
    }
    match (
        u16::from_le_bytes([preamble[4], preamble[5]]),
        u16::from_le_bytes([preamble[6], preamble[7]]),
    ) {
        (1, 0) => Ok(ItemKind::Module),
        (0xd, 1) => Ok(ItemKind::Component),
        (version, layer) => Err(format!(
            "unsupported wasm version {version:#x} (layer {layer})"
        )),
    }
}

/// A section's framing: its id, where it starts, and where its payload ends.
struct Header {
    id: u8,
    start: u64,
    end: u64,
}

/// The next section header, or `None` at the end of the container.
fn section_header<R: Read>(s: &mut Stream<R>, end: Option<u64>) -> Result<Option<Header>, Stop> {
    let at_end = match end {
        Some(end) => s.pos() >= end,
        None => s.at_end()?,
    };
    if at_end {
        return Ok(None);
    }
    let start = s.pos();
    let id = s.read_u8()?;
    let size = s.read_u32()?;
    let payload_end = s.pos() + u64::from(size);
    if let Some(end) = end {
        if payload_end > end {
            return Err(Stop::new(
                start,
                format!("section (id {id}) of {size} bytes extends past the end of its parent at {end:#x}"),
            ));
        }
    }
    Ok(Some(Header {
        id,
        start,
        end: payload_end,
    }))
}

/// Closes `item` at the current position and adds it to `parent`, passing `result` on.
fn close<R: Read>(
    s: &Stream<R>,
    parent: &mut Item,
    mut item: Item,
    result: Result<(), Stop>,
) -> Result<(), Stop> {
    item.size = s.pos() - item.offset;
    parent.children.push(item);
    result
}

/// Checks that a section's contents ended where its header said.
fn expect_end<R: Read>(s: &Stream<R>, header: &Header) -> Result<(), Stop> {
    if s.pos() != header.end {
        return Err(Stop::new(
            s.pos(),
            format!(
                "section (id {}) should end at {:#x} but its contents end at {:#x}",
                header.id,
                header.end,
                s.pos()
            ),
        ));
    }
    Ok(())
}

/// The rest of a section's payload, read into memory.
fn payload<R: Read>(s: &mut Stream<R>, header: &Header) -> Result<(u64, Vec<u8>), Stop> {
    let at = s.pos();
    Ok((at, s.take((header.end - at) as usize)?))
}

/// Skips the rest of a section's payload.
fn skip<R: Read>(s: &mut Stream<R>, header: &Header) -> Result<(), Stop> {
    let at = s.pos();
    s.stream(header.end - at, |_| {})
}

/// Converts a wasmparser error inside a buffered section.
fn stop(e: wasmparser::BinaryReaderError) -> Stop {
    Stop::new(e.offset(), e.message().to_string())
}

/// The core module section names, as `wasm-tools objdump` words them.
fn module_section_name(id: u8) -> Option<&'static str> {
    Some(match id {
        1 => "types",
        2 => "imports",
        3 => "functions",
        4 => "tables",
        5 => "memories",
        6 => "globals",
        7 => "exports",
        8 => "start",
        9 => "elements",
        10 => "code",
        11 => "data",
        12 => "data count",
        13 => "tags",
        _ => return None,
    })
}

fn module_sections<R: Read>(
    s: &mut Stream<R>,
    end: Option<u64>,
    module: &mut Item,
    summary: &mut Summary,
) -> Result<(), Stop> {
    let mut facts = ModuleFacts::default();
    let mut debug: Option<Item> = None;
    let result = (|| {
        while let Some(header) = section_header(s, end)? {
            if header.id == 0 {
                let mut item = Item::new("custom", ItemKind::Custom, header.start, 0);
                let result = custom_section(s, &header, &mut item, &mut |name, at, bytes| {
                    facts.custom(name, at, bytes)
                });
                if item.name.starts_with("custom \".debug_") {
                    let group = debug.get_or_insert_with(|| {
                        Item::new("debug info", ItemKind::DebugInfo, header.start, 0)
                    });
                    close(s, group, item, result)?;
                    group.size = group.children.iter().map(|c| c.size).sum();
                    continue;
                }
                close(s, module, item, result)?;
                continue;
            }
            let Some(name) = module_section_name(header.id) else {
                return Err(Stop::new(
                    header.start,
                    format!("unknown module section id {}", header.id),
                ));
            };
            let mut item = Item::new(name, ItemKind::Section, header.start, 0);
            let result = match header.id {
                10 => code_section(s, &header, &mut item, &facts),
                11 => data_section(s, &header, &mut item, &mut facts),
                2 | 5 | 7 => payload(s, &header).and_then(|(at, bytes)| {
                    facts
                        .section(header.id, BinaryReader::new(&bytes, at))
                        .map_err(stop)
                }),
                _ => skip(s, &header),
            }
            .and_then(|()| expect_end(s, &header));
            close(s, module, item, result)?;
        }
        Ok(())
    })();
    if let Some(group) = debug {
        let at = module.children.partition_point(|c| c.offset < group.offset);
        module.children.insert(at, group);
    }
    *summary = facts.finish(module);
    result
}

/// Reads a custom section the walk needs: its name, its offset and its bytes.
type KnownCustom<'a> =
    dyn FnMut(&str, u64, &[u8]) -> Result<(), wasmparser::BinaryReaderError> + 'a;

/// Reads a custom section's name and hands its contents to `known` for the sections it
/// reads (`name`, `producers`, `component-name`); others are skipped.
fn custom_section<R: Read>(
    s: &mut Stream<R>,
    header: &Header,
    item: &mut Item,
    known: &mut KnownCustom<'_>,
) -> Result<(), Stop> {
    let name = s.parse(|r| r.read_string().map(str::to_string))?;
    if s.pos() > header.end {
        return Err(Stop::new(
            header.start,
            "custom section name extends past its section".into(),
        ));
    }
    item.name = format!("custom {name:?}");
    if matches!(name.as_str(), "name" | "producers" | "component-name") {
        let (at, bytes) = payload(s, header)?;
        known(&name, at, &bytes).map_err(stop)
    } else {
        skip(s, header)
    }
}

/// A code section, function by function; names come later from the `name` section.
fn code_section<R: Read>(
    s: &mut Stream<R>,
    header: &Header,
    item: &mut Item,
    facts: &ModuleFacts,
) -> Result<(), Stop> {
    let count = s.read_u32()?;
    item.count = Some(count);
    if s.names_only {
        // Only modules and components are named: no item per function.
        return s.stream(header.end.saturating_sub(s.pos()), |_| {});
    }
    for i in 0..count {
        let start = s.pos();
        let index = facts.imported_funcs + i;
        let function = Item::new(String::new(), ItemKind::Function, start, 0);
        let result = s.read_u32().and_then(|size| {
            if s.pos() + u64::from(size) > header.end {
                return Err(Stop::new(
                    start,
                    format!("function {index} extends past the code section"),
                ));
            }
            s.stream(size.into(), |_| {})
        });
        close(s, item, function, result)?;
    }
    Ok(())
}

/// A data section, segment by segment, measuring each one's bytes as they pass.
fn data_section<R: Read>(
    s: &mut Stream<R>,
    header: &Header,
    item: &mut Item,
    facts: &mut ModuleFacts,
) -> Result<(), Stop> {
    let count = s.read_u32()?;
    item.count = Some(count);
    if s.names_only {
        // Only modules and components are named: no item per segment.
        return s.stream(header.end.saturating_sub(s.pos()), |_| {});
    }
    for i in 0..count {
        let start = s.pos();
        let mut segment = Item::new(format!("segment {i}"), ItemKind::DataSegment, start, 0);
        let result = (|| {
            let (active, memory_offset, len) = s.parse(segment_header)?.map_err(|flags| {
                Stop::new(start, format!("invalid data segment flags {flags:#x}"))
            })?;
            if s.pos() + u64::from(len) > header.end {
                return Err(Stop::new(
                    start,
                    format!("data segment {i} extends past the data section"),
                ));
            }
            let mut hint = HintBuilder::new();
            let markers = &mut facts.markers;
            s.stream(len.into(), |chunk| {
                hint.feed(chunk);
                markers.feed(chunk);
            })?;
            facts.markers.end_segment();
            if active {
                facts.active_segments += 1;
                facts.active_bytes += u64::from(len);
            }
            segment.data = Some(Box::new(hint.finish(memory_offset)));
            Ok(())
        })();
        close(s, item, segment, result)?;
    }
    Ok(())
}

/// A data segment's flags, offset and length: (active, constant offset, length), or the
/// flags when they are not a known kind.
type SegmentHeader = Result<(bool, Option<u64>, u32), u32>;

fn segment_header(r: &mut BinaryReader<'_>) -> wasmparser::Result<SegmentHeader> {
    let flags = r.read_var_u32()?;
    let (active, offset) = match flags {
        0 => (true, const_offset(r)?),
        1 => (false, None),
        2 => {
            r.read_var_u32()?;
            (true, const_offset(r)?)
        }
        other => return Ok(Err(other)),
    };
    Ok(Ok((active, offset, r.read_var_u32()?)))
}

/// The value of a constant offset expression, when it is a plain constant.
fn const_offset(r: &mut BinaryReader<'_>) -> wasmparser::Result<Option<u64>> {
    let expr: wasmparser::ConstExpr<'_> = r.read()?;
    Ok(match expr.get_operators_reader().read()? {
        wasmparser::Operator::I32Const { value } => Some(u64::from(value as u32)),
        wasmparser::Operator::I64Const { value } => Some(value as u64),
        _ => None,
    })
}

/// The component section kinds kept as one item each.
fn component_section_name(id: u8) -> Option<&'static str> {
    Some(match id {
        2 => "core instances",
        3 => "core types",
        5 => "component instances",
        6 => "component aliases",
        7 => "component types",
        8 => "canonical functions",
        9 => "component start",
        10 => "component imports",
        11 => "component exports",
        12 => "component values",
        _ => return None,
    })
}

fn component_sections<R: Read>(
    s: &mut Stream<R>,
    end: Option<u64>,
    component: &mut Item,
) -> Result<(), Stop> {
    let mut facts = ComponentFacts::default();
    // Sections of one kind are one item: where each kind's item is among the children.
    let mut grouped: HashMap<u8, usize> = HashMap::new();
    let result = (|| {
        while let Some(header) = section_header(s, end)? {
            match header.id {
                0 => {
                    let mut item = Item::new("custom", ItemKind::Custom, header.start, 0);
                    let result = custom_section(s, &header, &mut item, &mut |name, at, bytes| {
                        facts.custom(name, at, bytes)
                    });
                    close(s, component, item, result)?;
                }
                1 | 4 => {
                    let kind = if header.id == 1 {
                        ItemKind::Module
                    } else {
                        ItemKind::Component
                    };
                    let mut nested = Item::new(String::new(), kind, header.start, 0);
                    let mut summary = Summary::default();
                    let result = container(s, Some(header.end), &mut nested, &mut summary)
                        .and_then(|()| expect_end(s, &header));
                    facts.nested(kind, component.children.len(), summary);
                    close(s, component, nested, result)?;
                }
                id => {
                    let Some(name) = component_section_name(id) else {
                        return Err(Stop::new(
                            header.start,
                            format!("unknown component section id {id}"),
                        ));
                    };
                    let result = match id {
                        6 | 10 | 11 => payload(s, &header).and_then(|(at, bytes)| {
                            facts
                                .section(id, BinaryReader::new(&bytes, at))
                                .map_err(stop)
                        }),
                        _ => skip(s, &header),
                    };
                    let size = s.pos() - header.start;
                    let at = *grouped.entry(id).or_insert_with(|| {
                        let mut group = Item::new(name, ItemKind::Section, header.start, 0);
                        group.count = Some(0);
                        component.children.push(group);
                        component.children.len() - 1
                    });
                    let group = &mut component.children[at];
                    group.size += size;
                    group.count = group.count.map(|n| n + 1);
                    result?;
                }
            }
        }
        Ok(())
    })();
    facts.finish(component);
    result
}
