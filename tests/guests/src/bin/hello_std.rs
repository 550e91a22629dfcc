//! An ordinary Rust program on std: greets, lists its arguments and some
//! environment variables, writes to stderr, and exits with the code in
//! EXIT_CODE if set.

fn main() {
    println!("hello, world");
    for (i, arg) in std::env::args().enumerate() {
        println!("arg {i}: {arg}");
    }
    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    for (key, value) in vars {
        println!("env {key}={value}");
    }
    eprintln!("a line on stderr");
    if let Ok(code) = std::env::var("EXIT_CODE") {
        std::process::exit(code.parse().expect("EXIT_CODE is a number"));
    }
}
