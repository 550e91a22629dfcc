//! Build step: calls to the adapter's global accessors become the global
//! instructions themselves.
//!
//! Stable Rust cannot name a wasm global, so adapter/build.rs defines each of
//! the adapter's globals with a getter and a setter function, and the adapter
//! calls those. Nothing inlines them afterwards (wasm-ld does not, and engines
//! such as Cranelift compile every function separately), so each access cost
//! a call: one p1 call makes a dozen or more. A getter's body is exactly
//! `global.get G`, a setter's `local.get 0; global.set G`, so `call getter`
//! and `global.get G` (and `call setter` and `global.set G`) have the same
//! effect on the stack and on the global. Every call to an accessor is
//! replaced; the accessors themselves stay, unreferenced, and wit-component
//! drops them when it links the adapter. The stack pointer's setter is left
//! alone: the build's checks follow calls to it (src/check.rs).

use std::collections::HashMap;

use wasm_encoder::reencode::{Error, Reencode, RoundtripReencoder};
use wasmparser::{KnownCustom, Name, Operator, Parser, Payload};

/// Accessors are named `<global>_get` and `<global>_set` with a name
/// starting so (adapter/build.rs).
const PREFIX: &str = "adapter_";
/// The stack pointer's accessor, which stays a call.
const STACK_POINTER_ACCESSOR: &str = "adapter_sp_";

/// What a call to an accessor becomes.
#[derive(Clone, Copy)]
enum Access {
    Get(u32),
    Set(u32),
}

/// `raw` with every call to a global accessor replaced, and how many calls
/// were replaced.
pub fn inline_global_accessors(raw: &[u8]) -> Result<(Vec<u8>, usize), String> {
    let accessors = accessor_functions(raw)?;
    let mut inliner = Inliner { accessors, replaced: 0 };
    let mut module = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(raw) {
        let payload = payload.map_err(|e| e.to_string())?;
        match payload {
            Payload::CodeSectionStart { unchecked_range: range, .. } => {
                let (start, end) = (range.start as usize, range.end as usize);
                let bytes = raw.get(start..end).ok_or("code section out of bounds")?;
                let reader = wasmparser::CodeSectionReader::new(wasmparser::BinaryReader::new(bytes, range.start)).map_err(|e| e.to_string())?;
                let mut code = wasm_encoder::CodeSection::new();
                inliner.parse_code_section(&mut code, reader).map_err(|e| format!("{e:?}"))?;
                module.section(&code);
            }
            Payload::CodeSectionEntry(_) => {}
            other => {
                if let Some((id, range)) = other.as_section() {
                    module.section(&wasm_encoder::RawSection { id, data: &raw[range.start as usize..range.end as usize] });
                }
            }
        }
    }
    Ok((module.finish(), inliner.replaced))
}

/// Function index → the access it performs, for every accessor named in the
/// name section whose body is exactly the expected one.
fn accessor_functions(raw: &[u8]) -> Result<HashMap<u32, Access>, String> {
    let mut named = HashMap::new();
    let mut imported = 0u32;
    let mut bodies = Vec::new();
    for payload in Parser::new(0).parse_all(raw) {
        match payload.map_err(|e| e.to_string())? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    if matches!(import.map_err(|e| e.to_string())?.ty, wasmparser::TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body),
            Payload::CustomSection(section) if section.name() == "name" => {
                let KnownCustom::Name(reader) = section.as_known() else {
                    return Err("unreadable name section".into());
                };
                for subsection in reader {
                    if let Name::Function(map) = subsection.map_err(|e| e.to_string())? {
                        for naming in map {
                            let naming = naming.map_err(|e| e.to_string())?;
                            let name = naming.name;
                            if name.starts_with(PREFIX) && !name.starts_with(STACK_POINTER_ACCESSOR) {
                                if name.ends_with("_get") {
                                    named.insert(naming.index, false);
                                } else if name.ends_with("_set") {
                                    named.insert(naming.index, true);
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut accessors = HashMap::new();
    for (index, is_setter) in named {
        let Some(body) = index.checked_sub(imported).and_then(|defined| bodies.get(defined as usize)) else {
            continue;
        };
        let operators: Vec<Operator> =
            body.get_operators_reader().map_err(|e| e.to_string())?.into_iter().collect::<Result<_, _>>().map_err(|e| e.to_string())?;
        let access = match (is_setter, operators.as_slice()) {
            (false, [Operator::GlobalGet { global_index }, Operator::End]) => Access::Get(*global_index),
            (true, [Operator::LocalGet { local_index: 0 }, Operator::GlobalSet { global_index }, Operator::End]) => {
                Access::Set(*global_index)
            }
            _ => return Err(format!("function {index} is named like a global accessor but does not only access a global")),
        };
        accessors.insert(index, access);
    }
    if accessors.is_empty() {
        return Err("no global accessors found; the adapter's globals object (adapter/build.rs) changed?".into());
    }
    Ok(accessors)
}

struct Inliner {
    accessors: HashMap<u32, Access>,
    replaced: usize,
}

impl Reencode for Inliner {
    type Error = std::convert::Infallible;

    fn instruction<'a>(&mut self, operator: Operator<'a>) -> Result<wasm_encoder::Instruction<'a>, Error<Self::Error>> {
        if let Operator::Call { function_index } = operator {
            if let Some(access) = self.accessors.get(&function_index) {
                self.replaced += 1;
                return Ok(match *access {
                    Access::Get(global) => wasm_encoder::Instruction::GlobalGet(global),
                    Access::Set(global) => wasm_encoder::Instruction::GlobalSet(global),
                });
            }
        }
        RoundtripReencoder.instruction(operator)
    }
}
