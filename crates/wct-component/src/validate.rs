//! Validation of modules and components.
//!
//! The module/component structure is validated in one pass; function bodies are collected and
//! validated in parallel with rayon (the same scheme as `wasm-tools validate`). When several
//! bodies are invalid, the one that comes first in the binary is reported, so the result does
//! not depend on thread scheduling. Errors carry the byte offset and, inside a function body,
//! the function index and its name from the `name` section when there is one.

use rayon::prelude::*;
use serde::Serialize;
use std::ops::Range;
use wasmparser::{
    BinaryReaderError, Chunk, FuncValidatorAllocations, KnownCustom, Name, Parser, Payload,
    ValidPayload, Validator, WasmFeatures,
};

/// Where and why a binary is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error, miette::Diagnostic)]
#[error("{}", self.describe())]
pub struct ValidationError {
    /// The validator's message, e.g. `type mismatch: expected i32, found i64`.
    pub message: String,
    /// Byte offset of the problem in the binary.
    pub offset: u64,
    /// The function whose body is invalid, when the problem is inside a body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<FunctionRef>,
}

/// A core function, by index and (when the name section has it) name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionRef {
    /// Index in the function index space of its module (imports come first).
    pub index: u32,
    /// The name from the module's `name` section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl ValidationError {
    fn describe(&self) -> String {
        let mut out = format!("{} (at offset {:#x}", self.message, self.offset);
        if let Some(func) = &self.function {
            out.push_str(&format!(", in function {}", func.index));
            if let Some(name) = &func.name {
                out.push_str(&format!(" `{name}`"));
            }
        }
        out.push(')');
        out
    }

    fn from_parser(err: BinaryReaderError) -> Self {
        ValidationError {
            message: err.message().to_string(),
            offset: err.offset(),
            function: None,
        }
    }
}

/// Validates a binary module or component with `features`.
pub fn validate(wasm: &[u8], features: WasmFeatures) -> Result<(), ValidationError> {
    validate_pieces(&[wasm], features)
}

/// Validates the binary that `pieces` make one after the other, without joining them: a
/// composition written from the components it nests, each kept where it was read. Every
/// boundary between pieces must fall between sections (a nested component or module may make
/// a piece of its own); a section cut in two is reported as an error at its offset.
pub fn validate_pieces(pieces: &[&[u8]], features: WasmFeatures) -> Result<(), ValidationError> {
    let mut validator = Validator::new_with_features(features);
    let mut bodies = Vec::new();
    let mut parser = Parser::new(0);
    let mut enclosing = Vec::new();
    let mut offset = 0u64;
    'pieces: for (i, piece) in pieces.iter().enumerate() {
        let eof = i + 1 == pieces.len();
        let mut data: &[u8] = piece;
        loop {
            let (payload, consumed) = match parser
                .parse(data, eof)
                .map_err(ValidationError::from_parser)?
            {
                Chunk::NeedMoreData(_) if data.is_empty() => continue 'pieces,
                Chunk::NeedMoreData(_) => {
                    return Err(ValidationError {
                        message: "a section continues past the end of its piece".to_string(),
                        offset,
                        function: None,
                    })
                }
                Chunk::Parsed { payload, consumed } => (payload, consumed),
            };
            data = &data[consumed..];
            offset += consumed as u64;
            match validator
                .payload(&payload)
                .map_err(ValidationError::from_parser)?
            {
                ValidPayload::Func(to_validate, body) => bodies.push((to_validate, body)),
                ValidPayload::Ok | ValidPayload::Parser(_) | ValidPayload::End(_) => {}
            }
            match payload {
                Payload::ModuleSection { parser: nested, .. }
                | Payload::ComponentSection { parser: nested, .. } => {
                    enclosing.push(std::mem::replace(&mut parser, nested));
                }
                Payload::End(_) => match enclosing.pop() {
                    Some(outer) => parser = outer,
                    // The outermost binary ends only at the end of the last piece.
                    None => break 'pieces,
                },
                _ => {}
            }
        }
    }
    validate_bodies(bodies).map_err(|(index, err)| ValidationError {
        message: err.message().to_string(),
        offset: err.offset(),
        function: Some(FunctionRef {
            index,
            name: match pieces {
                [whole] => function_name(whole, err.offset(), index),
                _ => function_name(&pieces.concat(), err.offset(), index),
            },
        }),
    })
}

/// A function body to validate, with what validating it needs.
type Body<'a> = (
    wasmparser::FuncToValidate<wasmparser::ValidatorResources>,
    wasmparser::FunctionBody<'a>,
);

/// Below this many bytes of function bodies, validating them on the calling thread is faster
/// than starting rayon's threads (about a millisecond of a small module's `wct adapt`).
const PARALLEL_FROM_BYTES: u64 = 256 * 1024;

/// Validates function bodies (in parallel when there are enough of them); the failure that
/// comes first in the binary, with its function's index.
fn validate_bodies(bodies: Vec<Body<'_>>) -> Result<(), (u32, BinaryReaderError)> {
    let validate_one = |allocs: &mut FuncValidatorAllocations, (func, body): Body<'_>| {
        let mut validator = func.into_validator(std::mem::take(allocs));
        let result = validator
            .validate(&body)
            .map_err(|e| (validator.index(), e));
        *allocs = validator.into_allocations();
        result
    };
    let size: u64 = bodies
        .iter()
        .map(|(_, body)| body.range())
        .map(|range| range.end - range.start)
        .sum();
    let first_failure = if size < PARALLEL_FROM_BYTES {
        let mut allocs = FuncValidatorAllocations::default();
        bodies
            .into_iter()
            .map(|body| validate_one(&mut allocs, body))
            .filter_map(Result::err)
            .min_by_key(|(_, e)| e.offset())
    } else {
        bodies
            .into_par_iter()
            .map_init(FuncValidatorAllocations::default, validate_one)
            .filter_map(Result::err)
            .min_by_key(|(_, e)| e.offset())
    };
    first_failure.map_or(Ok(()), Err)
}

/// Looks up the name of function `index` in the name section of the (possibly nested) module
/// whose byte range contains `offset`.
pub fn function_name(wasm: &[u8], offset: u64, index: u32) -> Option<String> {
    let mut modules: Vec<Range<u64>> = Vec::new();
    let mut names: Vec<(u64, wasmparser::NameSectionReader<'_>)> = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.ok()? {
            Payload::Version {
                encoding: wasmparser::Encoding::Module,
                range,
                ..
            } => modules.push(range.start..wasm.len() as u64),
            Payload::ModuleSection {
                unchecked_range, ..
            } => modules.push(unchecked_range),
            Payload::CustomSection(section) => {
                if let KnownCustom::Name(reader) = section.as_known() {
                    names.push((section.range().start, reader));
                }
            }
            _ => {}
        }
    }
    // The innermost module containing the offset is the shortest range that contains it.
    let module = modules
        .iter()
        .filter(|r| r.contains(&offset))
        .min_by_key(|r| r.end - r.start)?;
    let (_, reader) = names.into_iter().find(|(at, _)| module.contains(at))?;
    for name in reader {
        if let Ok(Name::Function(map)) = name {
            for naming in map.into_iter().flatten() {
                if naming.index == index {
                    return Some(naming.name.to_string());
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wat(text: &str) -> Vec<u8> {
        wat::parse_str(text).unwrap()
    }

    #[test]
    fn valid_module_and_component() {
        let f = WasmFeatures::default();
        validate(
            &wat("(module (func (export \"f\") (result i32) i32.const 1))"),
            f,
        )
        .unwrap();
        validate(&wat("(component (core module))"), f).unwrap();
    }

    #[test]
    fn bad_body_names_the_function() {
        let bytes = wat(r#"(module
            (func $ok (result i32) i32.const 0)
            (func $broken (result i32) i64.const 0))"#);
        let err = validate(&bytes, WasmFeatures::default()).unwrap_err();
        assert!(err.message.contains("type mismatch"), "{err}");
        let func = err.function.clone().unwrap();
        assert_eq!(func.index, 1);
        assert_eq!(func.name.as_deref(), Some("broken"));
        assert!(err.to_string().contains("in function 1 `broken`"), "{err}");
    }

    #[test]
    fn the_first_bad_body_is_reported() {
        let mut text = String::from("(module");
        for i in 0..64 {
            if i % 2 == 1 {
                text.push_str(&format!(" (func $f{i} (result i32) i64.const 0)"));
            } else {
                text.push_str(&format!(" (func $f{i})"));
            }
        }
        text.push(')');
        let err = validate(&wat(&text), WasmFeatures::default()).unwrap_err();
        assert_eq!(err.function.unwrap().name.as_deref(), Some("f1"));
    }

    #[test]
    fn truncated_binary_is_an_error_with_offset() {
        let bytes = wat("(module (func (export \"f\")))");
        let err = validate(&bytes[..bytes.len() - 3], WasmFeatures::default()).unwrap_err();
        assert!(err.offset > 0 && err.function.is_none(), "{err:?}");
    }

    /// A component nesting a module, cut where the nested module begins and ends: the
    /// pieces are the binary a composition writes without joining it.
    fn nesting() -> (Vec<u8>, Range<usize>) {
        let bytes = wat(r#"(component
            (core module $m (func (export "f") (result i32) i32.const 1))
            (core instance (instantiate $m))
        )"#);
        let nested = Parser::new(0)
            .parse_all(&bytes)
            .find_map(|payload| match payload.unwrap() {
                Payload::ModuleSection {
                    unchecked_range, ..
                } => Some(unchecked_range.start as usize..unchecked_range.end as usize),
                _ => None,
            })
            .unwrap();
        (bytes, nested)
    }

    #[test]
    fn pieces_cut_between_sections_validate_as_the_whole() {
        let (bytes, nested) = nesting();
        let pieces = [
            &bytes[..nested.start],
            &bytes[nested.clone()],
            &bytes[nested.end..],
        ];
        validate_pieces(&pieces, WasmFeatures::default()).unwrap();
        // The same pieces with a bad body in the nested module: reported at the same offset
        // as when the binary is whole.
        let mut broken = bytes.clone();
        let at = broken.len() - 1 - broken.iter().rev().position(|&b| b == 0x41).unwrap();
        broken[at] = 0x42; // i32.const -> i64.const
        let whole = validate(&broken, WasmFeatures::default()).unwrap_err();
        let pieces = [
            &broken[..nested.start],
            &broken[nested.clone()],
            &broken[nested.end..],
        ];
        let split = validate_pieces(&pieces, WasmFeatures::default()).unwrap_err();
        assert_eq!(split, whole);
        assert!(split.function.is_some(), "{split:?}");
    }

    #[test]
    fn a_section_cut_in_two_or_bytes_after_the_binary_are_errors() {
        let (bytes, nested) = nesting();
        let middle = nested.start + 3;
        let err = validate_pieces(
            &[&bytes[..middle], &bytes[middle..]],
            WasmFeatures::default(),
        )
        .unwrap_err();
        assert!(err.message.contains("past the end of its piece"), "{err:?}");
        let extra = [0u8, 1, 2];
        let err = validate_pieces(&[&bytes, &extra], WasmFeatures::default()).unwrap_err();
        assert!(err.offset >= bytes.len() as u64, "{err:?}");
    }
}
