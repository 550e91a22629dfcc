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
//! replaced and the accessors are dropped, the other functions renumbered.
//! The stack pointer's accessors are left alone: the build's checks follow
//! calls to its setter (src/check.rs).

use std::collections::HashMap;

use wasm_encoder::reencode::{Error, Reencode};
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

/// `raw` with every call to a global accessor replaced and the accessors
/// dropped, and how many calls were replaced.
pub fn inline_global_accessors(raw: &[u8]) -> Result<(Vec<u8>, usize), String> {
    let (accessors, imported) = accessor_functions(raw)?;
    // New index of every function, `None` for the accessors.
    let defined = defined_functions(raw)?;
    let mut renumbered = Vec::with_capacity((imported + defined) as usize);
    let mut next = 0u32;
    for index in 0..imported + defined {
        if accessors.contains_key(&index) {
            renumbered.push(None);
        } else {
            renumbered.push(Some(next));
            next += 1;
        }
    }
    let mut inliner = Inliner { accessors, renumbered, replaced: 0, imported, position: 0 };
    let mut module = wasm_encoder::Module::new();
    inliner.parse_core_module(&mut module, Parser::new(0), raw).map_err(|e| format!("{e:?}"))?;
    Ok((module.finish(), inliner.replaced))
}

fn defined_functions(raw: &[u8]) -> Result<u32, String> {
    for payload in Parser::new(0).parse_all(raw) {
        if let Payload::FunctionSection(functions) = payload.map_err(|e| e.to_string())? {
            return Ok(functions.count());
        }
    }
    Ok(0)
}

/// Function index → the access it performs, for every accessor named in the
/// name section whose body is exactly the expected one; and the number of
/// imported functions.
fn accessor_functions(raw: &[u8]) -> Result<(HashMap<u32, Access>, u32), String> {
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
            (true, [Operator::LocalGet { local_index: 0 }, Operator::GlobalSet { global_index }, Operator::End]) => Access::Set(*global_index),
            _ => return Err(format!("function {index} is named like a global accessor but does not only access a global")),
        };
        accessors.insert(index, access);
    }
    if accessors.is_empty() {
        return Err("no global accessors found; the adapter's globals object (adapter/build.rs) changed?".into());
    }
    Ok((accessors, imported))
}

struct Inliner {
    accessors: HashMap<u32, Access>,
    /// Old function index → new one; `None` for a dropped accessor.
    renumbered: Vec<Option<u32>>,
    replaced: usize,
    imported: u32,
    /// The defined function whose entry (function or code section) is being read.
    position: u32,
}

impl Inliner {
    fn kept(&self, index: u32) -> bool {
        self.renumbered.get(index as usize).is_some_and(Option::is_some)
    }
}

impl Reencode for Inliner {
    type Error = String;

    fn function_index(&mut self, func: u32) -> Result<u32, Error<Self::Error>> {
        match self.renumbered.get(func as usize) {
            Some(Some(new)) => Ok(*new),
            _ => Err(Error::UserError(format!("function {func} is a dropped accessor but is still referenced"))),
        }
    }

    fn instruction<'a>(&mut self, operator: Operator<'a>) -> Result<wasm_encoder::Instruction<'a>, Error<Self::Error>> {
        if let Operator::Call { function_index } = operator
            && let Some(access) = self.accessors.get(&function_index)
        {
            self.replaced += 1;
            return Ok(match *access {
                Access::Get(global) => wasm_encoder::Instruction::GlobalGet(global),
                Access::Set(global) => wasm_encoder::Instruction::GlobalSet(global),
            });
        }
        wasm_encoder::reencode::utils::instruction(self, operator)
    }

    fn parse_function_section(
        &mut self,
        functions: &mut wasm_encoder::FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        for (position, ty) in section.into_iter().enumerate() {
            let ty = ty?;
            if self.kept(self.imported + position as u32) {
                functions.function(self.type_index(ty)?);
            }
        }
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), Error<Self::Error>> {
        self.position = 0;
        for body in section {
            let body = body?;
            if self.kept(self.imported + self.position) {
                self.parse_function_body(code, body)?;
            }
            self.position += 1;
        }
        Ok(())
    }

    fn parse_custom_name_subsection(&mut self, names: &mut wasm_encoder::NameSection, section: Name<'_>) -> Result<(), Error<Self::Error>> {
        match section {
            Name::Function(map) => {
                let mut kept = wasm_encoder::NameMap::new();
                for naming in map {
                    let naming = naming?;
                    if self.kept(naming.index) {
                        kept.append(self.function_index(naming.index)?, naming.name);
                    }
                }
                names.functions(&kept);
            }
            Name::Local(map) => {
                let mut kept = wasm_encoder::IndirectNameMap::new();
                for naming in map {
                    let naming = naming?;
                    if self.kept(naming.index) {
                        let mut locals = wasm_encoder::NameMap::new();
                        for local in naming.names {
                            let local = local?;
                            locals.append(local.index, local.name);
                        }
                        kept.append(self.function_index(naming.index)?, &locals);
                    }
                }
                names.locals(&kept);
            }
            other => wasm_encoder::reencode::utils::parse_custom_name_subsection(self, names, other)?,
        }
        Ok(())
    }
}
