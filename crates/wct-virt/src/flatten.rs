//! Generated code that reads a value of a WIT type from linear memory, where a host call
//! with a return pointer left it, into its flat canonical-ABI form: the parameters of
//! `task.return`. A virtualizing module that passes a host's result through unchanged (the
//! WASI 0.3 HTTP filter) needs this for result types too large to write out by hand.
//!
//! The layout comes from wit-parser's `SizeAlign`, the flattening from `Resolve::push_flat`;
//! each flat value is converted to the joined type of its position (an `i32` where a
//! variant's other case has an `i64` is zero-extended), as the canonical ABI's `lower_flat`
//! does.

use wasm_encoder::{Function, InstructionSink, MemArg, MemArgTarget, ValType};
use wit_parser::abi::{FlatTypes, WasmType};
use wit_parser::{Int, Resolve, SizeAlign, Type, TypeDefKind};

/// Reads values of one `Resolve`'s types.
pub(crate) struct Flattener<'a> {
    resolve: &'a Resolve,
    sizes: SizeAlign,
}

/// A primitive load: its instruction and the type it produces.
#[derive(Clone, Copy)]
enum Load {
    U8,
    S8,
    U16,
    S16,
    I32,
    I64,
    F32,
    F64,
}

impl Load {
    fn of_int(int: Int) -> Load {
        match int {
            Int::U8 => Load::U8,
            Int::U16 => Load::U16,
            Int::U32 => Load::I32,
            Int::U64 => Load::I64,
        }
    }

    fn produces(self) -> ValType {
        match self {
            Load::I64 => ValType::I64,
            Load::F32 => ValType::F32,
            Load::F64 => ValType::F64,
            _ => ValType::I32,
        }
    }
}

fn mem(offset: u32, align: u32) -> MemArg {
    MemArg {
        offset: offset.into(),
        align,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

/// The core type of a flat value.
fn val_type(ty: WasmType) -> ValType {
    match ty {
        WasmType::I32 | WasmType::Pointer | WasmType::Length => ValType::I32,
        WasmType::I64 | WasmType::PointerOrI64 => ValType::I64,
        WasmType::F32 => ValType::F32,
        WasmType::F64 => ValType::F64,
    }
}

impl<'a> Flattener<'a> {
    /// A flattener for the types of `resolve`.
    pub(crate) fn new(resolve: &'a Resolve) -> anyhow::Result<Self> {
        let mut sizes = SizeAlign::default();
        sizes.fill(resolve)?;
        Ok(Flattener { resolve, sizes })
    }

    /// The flat types of `ty`.
    pub(crate) fn flat(&self, ty: &Type) -> Vec<ValType> {
        let mut storage = [WasmType::I32; Resolve::MAX_FLAT_PARAMS];
        let mut flat = FlatTypes::new(&mut storage);
        self.resolve.push_flat(ty, &mut flat);
        flat.to_vec().into_iter().map(val_type).collect()
    }

    /// A function `(param ptr)` that reads `ty` at `ptr` and calls the function `callee`
    /// with its flat values.
    pub(crate) fn call_with(&self, ty: &Type, callee: u32) -> Function {
        let flat = self.flat(ty);
        // Local 0 is the pointer; locals 1.. hold the flat values.
        let mut f = Function::new(flat.iter().map(|t| (1, *t)));
        let slots: Vec<(u32, ValType)> = flat
            .iter()
            .enumerate()
            .map(|(i, t)| (i as u32 + 1, *t))
            .collect();
        let mut sink = f.instructions();
        self.load(ty, 0, &slots, &mut sink);
        for (local, _) in &slots {
            sink.local_get(*local);
        }
        sink.call(callee).end();
        f
    }

    /// Emits code storing the flat values of `ty` at `offset` from local 0 into `slots`.
    fn load(&self, ty: &Type, offset: u32, slots: &[(u32, ValType)], f: &mut InstructionSink) {
        match ty {
            Type::Bool | Type::U8 => self.prim(Load::U8, offset, slots[0], f),
            Type::S8 => self.prim(Load::S8, offset, slots[0], f),
            Type::U16 => self.prim(Load::U16, offset, slots[0], f),
            Type::S16 => self.prim(Load::S16, offset, slots[0], f),
            Type::U32 | Type::S32 | Type::Char | Type::ErrorContext => {
                self.prim(Load::I32, offset, slots[0], f)
            }
            Type::U64 | Type::S64 => self.prim(Load::I64, offset, slots[0], f),
            Type::F32 => self.prim(Load::F32, offset, slots[0], f),
            Type::F64 => self.prim(Load::F64, offset, slots[0], f),
            Type::String => {
                self.prim(Load::I32, offset, slots[0], f);
                self.prim(Load::I32, offset + 4, slots[1], f);
            }
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Type(inner) => self.load(inner, offset, slots, f),
                TypeDefKind::Handle(_)
                | TypeDefKind::Resource
                | TypeDefKind::Future(_)
                | TypeDefKind::Stream(_) => self.prim(Load::I32, offset, slots[0], f),
                TypeDefKind::List(_) => {
                    self.prim(Load::I32, offset, slots[0], f);
                    self.prim(Load::I32, offset + 4, slots[1], f);
                }
                TypeDefKind::Record(r) => {
                    self.fields(r.fields.iter().map(|field| &field.ty), offset, slots, f)
                }
                TypeDefKind::Tuple(t) => self.fields(t.types.iter(), offset, slots, f),
                TypeDefKind::Flags(flags) => {
                    let load = match flags.repr() {
                        wit_parser::FlagsRepr::U8 => Load::U8,
                        wit_parser::FlagsRepr::U16 => Load::U16,
                        wit_parser::FlagsRepr::U32(_) => Load::I32,
                    };
                    for (i, slot) in slots.iter().enumerate() {
                        self.prim(load, offset + 4 * i as u32, *slot, f);
                    }
                }
                TypeDefKind::Enum(e) => self.prim(Load::of_int(e.tag()), offset, slots[0], f),
                TypeDefKind::Option(t) => self.cases(Int::U8, &[None, Some(*t)], offset, slots, f),
                TypeDefKind::Result(r) => self.cases(Int::U8, &[r.ok, r.err], offset, slots, f),
                TypeDefKind::Variant(v) => {
                    let cases: Vec<Option<Type>> = v.cases.iter().map(|c| c.ty).collect();
                    self.cases(v.tag(), &cases, offset, slots, f)
                }
                other => unreachable!("not in WASI's result types: {other:?}"),
            },
        }
    }

    /// The fields of a record or tuple, one after the other.
    fn fields<'t>(
        &self,
        types: impl Iterator<Item = &'t Type>,
        offset: u32,
        slots: &[(u32, ValType)],
        f: &mut InstructionSink,
    ) {
        let mut next = 0;
        for (at, ty) in self.sizes.field_offsets(types) {
            let count = self.flat(ty).len();
            self.load(
                ty,
                offset + at.size_wasm32() as u32,
                &slots[next..next + count],
                f,
            );
            next += count;
        }
    }

    /// A variant: the discriminant, then the payload of the case it names.
    fn cases(
        &self,
        tag: Int,
        cases: &[Option<Type>],
        offset: u32,
        slots: &[(u32, ValType)],
        f: &mut InstructionSink,
    ) {
        self.prim(Load::of_int(tag), offset, slots[0], f);
        let payload = offset
            + self
                .sizes
                .payload_offset(tag, cases.iter().map(|c| c.as_ref()))
                .size_wasm32() as u32;
        for (i, case) in cases.iter().enumerate() {
            let Some(ty) = case else { continue };
            let count = self.flat(ty).len();
            // The discriminant's position may be joined to i64 in an enclosing variant.
            f.local_get(slots[0].0);
            if slots[0].1 == ValType::I64 {
                f.i64_const(i as i64).i64_eq();
            } else {
                f.i32_const(i as i32).i32_eq();
            }
            f.if_(wasm_encoder::BlockType::Empty);
            self.load(ty, payload, &slots[1..1 + count], f);
            f.end();
        }
    }

    /// One load into `slot`, converted to its type.
    fn prim(&self, load: Load, offset: u32, (slot, to): (u32, ValType), f: &mut InstructionSink) {
        f.local_get(0);
        match load {
            Load::U8 => f.i32_load8_u(mem(offset, 0)),
            Load::S8 => f.i32_load8_s(mem(offset, 0)),
            Load::U16 => f.i32_load16_u(mem(offset, 1)),
            Load::S16 => f.i32_load16_s(mem(offset, 1)),
            Load::I32 => f.i32_load(mem(offset, 2)),
            Load::I64 => f.i64_load(mem(offset, 3)),
            Load::F32 => f.f32_load(mem(offset, 2)),
            Load::F64 => f.f64_load(mem(offset, 3)),
        };
        match (load.produces(), to) {
            (from, to) if from == to => {}
            (ValType::I32, ValType::I64) => {
                f.i64_extend_i32_u();
            }
            (ValType::F32, ValType::I32) => {
                f.i32_reinterpret_f32();
            }
            (ValType::F32, ValType::I64) => {
                f.i32_reinterpret_f32().i64_extend_i32_u();
            }
            (ValType::F64, ValType::I64) => {
                f.i64_reinterpret_f64();
            }
            (from, to) => unreachable!("the canonical ABI never joins {from:?} into {to:?}"),
        }
        f.local_set(slot);
    }
}
