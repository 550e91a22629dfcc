//! wasi:cli/environment: the program's arguments and environment, as the
//! lists the host returns (`p1::args_environ` places and reads them).

#[cfg(not(feature = "proxy"))]
#[link(wasm_import_module = "wasi:cli/environment@0.2.12")]
unsafe extern "C" {
    #[link_name = "get-arguments"]
    fn get_arguments(ret: *mut [u32; 2]);
    #[link_name = "get-environment"]
    fn get_environment(ret: *mut [u32; 2]);
}

/// Which list: arguments (`list<string>`) or environment (`list<tuple<string, string>>`).
#[derive(Clone, Copy, PartialEq)]
pub enum Which {
    Arguments,
    Environment,
}

impl Which {
    /// Strings per entry.
    pub fn strings(self) -> u32 {
        match self {
            Which::Arguments => 1,
            Which::Environment => 2,
        }
    }

    /// Calls the import; returns the list's `(address, length)`. Its
    /// strings and spine are placed by `cabi_import_realloc`, which follows
    /// the lowering plan the caller armed (and diagnoses anything else).
    #[cfg(not(feature = "proxy"))]
    pub fn call(self) -> [u32; 2] {
        let mut ret = [0u32; 2];
        match self {
            // SAFETY: the import writes its two-word result to `ret`; its lists go where `get`'s plan says.
            Which::Arguments => unsafe { get_arguments(&mut ret) },
            // SAFETY: as for the arguments.
            Which::Environment => unsafe { get_environment(&mut ret) },
        }
        ret
    }

    /// The proxy world has no environment: both lists are empty.
    #[cfg(feature = "proxy")]
    pub fn call(self) -> [u32; 2] {
        [0, 0]
    }
}
