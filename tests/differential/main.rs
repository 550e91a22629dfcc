//! Differential tests: each guest runs under native p1, upstream's adapter
//! and ours. Where ours deliberately differs from native p1 the test says so
//! and asserts our behaviour; what upstream does is printed for the record.

mod args_env;
mod bad_input;
mod clocks_random;
mod entries;
mod example;
mod extensions;
mod fd_table;
mod files;
mod flavours;
mod hostile;
mod other_imports;
mod paths;
mod poll;
mod prestat;
mod process;
mod readdir;
mod stdio;
mod tools;
