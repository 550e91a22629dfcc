//! The top layer: everything the adapter exports to the guest and to
//! wit-component. The 46 p1 functions (`p1_functions`, one table), the
//! extensions upstream's adapter exports (`extensions`), the hooks around the
//! guest's canonical-ABI callbacks (`callbacks`), and the command flavour's
//! `wasi:cli/run`. Each export enters a call (`memory::call`) and runs its
//! implementation in `p1`. May use every layer below; nothing imports it.

pub mod callbacks;
pub mod extensions;
pub mod p1_functions;
