//! Adapters for hosts older than wasi:cli 0.2.12's `exit-with-code`.
//!
//! Our adapter passes exit codes 2-255 (and the diagnosed status, 70) through
//! `wasi:cli/exit#exit-with-code`, stable since wasi:cli 0.2.12. wasmtime 27 to
//! 45 define it only when run with `-S cli-exit-with-code`; without the flag
//! they refuse to instantiate a component that imports it, and nearly every
//! component with our adapter does (every diagnosis can reach it).
//!
//! `without_exit_with_code` turns the import into a function of the adapter's
//! own that ends through plain `exit`: 0 stays 0, every other code becomes 1,
//! which is all such a host can report. The rest of the adapter is unchanged;
//! function references are renumbered because an import goes away.

use wasm_encoder::reencode::{self, Reencode};
use wasm_encoder::{Function, Instruction};

use crate::prepare::PrepareError;

const EXIT_INTERFACE: &str = "wasi:cli/exit@";
const EXIT_WITH_CODE: &str = "exit-with-code";
const EXIT: &str = "exit";

/// A copy of `adapter` that does not import `exit-with-code`; the adapter
/// itself when it imports no such function (the proxy flavour).
pub fn without_exit_with_code(adapter: &[u8]) -> Result<Vec<u8>, PrepareError> {
    let Some(found) = find_exit_imports(adapter)? else {
        return Ok(adapter.to_vec());
    };
    let mut rewriter = ExitRewriter { found, new_function: 0 };
    rewriter.new_function = found.imported_functions - 1 + count_defined_functions(adapter)?;
    let mut out = wasm_encoder::Module::new();
    rewriter.parse_core_module(&mut out, wasmparser::Parser::new(0), adapter)?;
    Ok(out.finish())
}

#[derive(Clone, Copy)]
struct ExitImports {
    imported_functions: u32,
    /// Function index and type of `exit-with-code`.
    with_code: u32,
    with_code_type: u32,
    /// Function index of `exit`.
    exit: u32,
}

fn find_exit_imports(module: &[u8]) -> Result<Option<ExitImports>, PrepareError> {
    let mut functions = 0;
    let (mut with_code, mut exit) = (None, None);
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::ImportSection(reader) = payload.map_err(PrepareError::Malformed)? {
            for import in reader.into_imports() {
                let import = import.map_err(PrepareError::Malformed)?;
                let wasmparser::TypeRef::Func(ty) = import.ty else { continue };
                if import.module.starts_with(EXIT_INTERFACE) {
                    match import.name {
                        EXIT_WITH_CODE => with_code = Some((functions, ty)),
                        EXIT => exit = Some(functions),
                        _ => {}
                    }
                }
                functions += 1;
            }
        }
    }
    match (with_code, exit) {
        (None, _) => Ok(None),
        (Some(_), None) => Err(PrepareError::NotOurAdapter("the adapter imports exit-with-code but not exit".into())),
        (Some((with_code, with_code_type)), Some(exit)) => Ok(Some(ExitImports { imported_functions: functions, with_code, with_code_type, exit })),
    }
}

fn count_defined_functions(module: &[u8]) -> Result<u32, PrepareError> {
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::FunctionSection(reader) = payload.map_err(PrepareError::Malformed)? {
            return Ok(reader.count());
        }
    }
    Ok(0)
}

struct ExitRewriter {
    found: ExitImports,
    /// Where the stand-in for `exit-with-code` goes: after every defined function.
    new_function: u32,
}

impl Reencode for ExitRewriter {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, reencode::Error<Self::Error>> {
        let with_code = self.found.with_code;
        Ok(match func {
            f if f == with_code => self.new_function,
            f if f > with_code => f - 1,
            f => f,
        })
    }

    fn parse_import_section(
        &mut self,
        imports: &mut wasm_encoder::ImportSection,
        section: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        let mut functions = 0;
        for import in section.into_imports() {
            let import = import?;
            let is_function = matches!(import.ty, wasmparser::TypeRef::Func(_));
            if !(is_function && functions == self.found.with_code) {
                let ty = self.entity_type(import.ty)?;
                imports.import(import.module, import.name, ty);
            }
            functions += u32::from(is_function);
        }
        Ok(())
    }

    fn parse_function_section(
        &mut self,
        functions: &mut wasm_encoder::FunctionSection,
        section: wasmparser::FunctionSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_function_section(self, functions, section)?;
        functions.function(self.found.with_code_type);
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        section: wasmparser::CodeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_code_section(self, code, section)?;
        // exit(if code == 0 { ok } else { err }): a result's discriminant.
        let exit = self.function_index(self.found.exit)?;
        let mut body = Function::new([]);
        body.instruction(&Instruction::LocalGet(0))
            .instruction(&Instruction::I32Const(0))
            .instruction(&Instruction::I32Ne)
            .instruction(&Instruction::Call(exit))
            .instruction(&Instruction::Unreachable)
            .instruction(&Instruction::End);
        code.function(&body);
        Ok(())
    }
}
