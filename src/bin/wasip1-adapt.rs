//! `wasip1-adapt`: see `wasip1_adapter::cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Result<Vec<String>, _> = std::env::args_os().skip(1).map(|arg| arg.into_string()).collect();
    let Ok(args) = args else {
        eprintln!("error: arguments must be valid UTF-8");
        return ExitCode::from(2);
    };
    let status = wasip1_adapter::cli::main(args, &mut std::io::stdout().lock(), &mut std::io::stderr().lock());
    ExitCode::from(status)
}
