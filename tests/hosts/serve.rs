//! The proxy flavour served by the real `wasmtime serve` (wasmtime 49 CLI):
//! tests/http-guest, a Rust HTTP handler whose runtime prints, reads clocks
//! and seeds hash maps through preview1, linked by the real `wasm-tools
//! component new --adapt` with our proxy adapter and with upstream's.

use std::path::{Path, PathBuf};

use support::*;
use verify::hosts::serve::{self, Reply, Request, Server};
use verify::tools::{self, WASMTIME};

/// The guest linked with `implementation`'s proxy adapter by the CLI.
fn linked(dir: &Path, implementation: Implementation) -> PathBuf {
    let module = dir.join("http_guest.wasm");
    if !module.exists() {
        std::fs::write(&module, verify::guests::http_guest().unwrap()).unwrap();
    }
    let adapter = dir.join(format!("{implementation:?}.proxy.wasm"));
    std::fs::write(&adapter, implementation.adapter(verify::Flavour::Proxy).unwrap()).unwrap();
    let component = dir.join(format!("{implementation:?}.component.wasm"));
    tools::link_with_cli(&module, &adapter, &component).unwrap();
    component
}

fn start(dir: &Path, implementation: Implementation) -> Server {
    Server::start(&tools::wasmtime_cli(WASMTIME).unwrap(), &linked(dir, implementation)).unwrap()
}

/// Requests covering every route but the two that end the guest.
fn requests() -> Vec<Request> {
    vec![
        Request::new("POST", "/echo").body("hello").header("x-greeting", "hi there"),
        Request::new("GET", "/echo?x=1&y=two"),
        Request::new("PUT", "/echo").body((0..100_000u32).map(|i| (i % 253) as u8).collect::<Vec<u8>>()),
        Request::new("DELETE", "/echo?empty"),
        Request::new("GET", "/big?bytes=3145728"),
        Request::new("GET", "/nowhere/at/all"),
    ]
}

/// Every response is what the handler defines, and the same under ours and
/// upstream; the guest's log lines reach wasmtime's stdout; `proc_exit` and
/// a panic inside a request end that request with a server error (ours says
/// why on stderr) and the server goes on serving.
#[test]
fn proxy_flavour_on_wasmtime_serve() {
    let dir = tempfile::tempdir().unwrap();
    let agent = serve::agent();
    let mut replies: Vec<Vec<Reply>> = Vec::new();
    let mut logs = Vec::new();
    for implementation in [Implementation::Ours, Implementation::Upstream] {
        let server = start(dir.path(), implementation);
        let mut these = Vec::new();
        for request in requests() {
            let reply = serve::send(&agent, &server.base, &request).unwrap();
            assert!(
                serve::matches_expected(&request, &reply),
                "{implementation:?}: {} {}: status {}, headers {:?}, {} bytes",
                request.method,
                request.target,
                reply.status,
                reply.headers,
                reply.body.len()
            );
            these.push(reply);
        }
        let exit = serve::send(&agent, &server.base, &Request::new("GET", "/exit?code=3")).unwrap();
        let panic = serve::send(&agent, &server.base, &Request::new("GET", "/panic")).unwrap();
        assert_eq!((exit.status, panic.status), (500, 500), "{implementation:?}");
        let after = Request::new("POST", "/echo").body("still serving");
        let reply = serve::send(&agent, &server.base, &after).unwrap();
        assert!(serve::matches_expected(&after, &reply), "{implementation:?} after the failed requests: {reply:?}");

        // wasmtime forwards the guest's stderr asynchronously, too.
        let stderr = wait_for_stderr(&server, "http-guest: panic on purpose in GET /panic");
        assert!(stderr.contains("http-guest: panic on purpose in GET /panic"), "{implementation:?}: {stderr}");
        if implementation == Implementation::Ours {
            let stderr = wait_for_stderr(&server, "wasi-p1-adapter: proc_exit(3)");
            assert!(
                stderr.contains("wasi-p1-adapter: proc_exit(3): wasi:http/proxy has no exit, so the adapter ends the guest here with a trap."),
                "{stderr}"
            );
        } else {
            println!("upstream on /exit: {:?}", stderr.lines().find(|line| line.contains("adapter line")));
        }
        replies.push(these);
        logs.push(wait_for_log(&server, requests().len() + 1));
    }
    assert!(replies[0] == replies[1], "ours and upstream answered differently");
    let mut expected_log: Vec<String> = requests()
        .iter()
        .zip(&replies[0])
        .map(|(request, reply)| format!("http-guest: {} {} -> {}, {} bytes", request.method, request.target, reply.status, reply.body.len()))
        .collect();
    expected_log.push("http-guest: POST /echo -> 200, 13 bytes".into());
    // wasmtime forwards each request's stdout on its own, so lines of
    // requests made one after the other may still arrive out of order:
    // every request is logged once, with its status and size.
    expected_log.sort();
    for (log, whose) in logs.iter_mut().zip(["ours'", "upstream's"]) {
        log.sort();
        assert_eq!(*log, expected_log, "{whose} log lines");
    }
}

/// The guest's stdout lines once `count` have arrived (wasmtime forwards
/// them asynchronously), or what there is after a while.
fn wait_for_log(server: &Server, count: usize) -> Vec<String> {
    for _ in 0..100 {
        let lines = serve::guest_lines(&server.stdout());
        if lines.len() >= count {
            return lines;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    serve::guest_lines(&server.stdout())
}

/// The server's stderr once it holds `text`, or what there is after a while.
fn wait_for_stderr(server: &Server, text: &str) -> String {
    for _ in 0..100 {
        let stderr = server.stderr();
        if stderr.contains(text) {
            return stderr;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    server.stderr()
}

/// A short bounded load (4 clients x 125 requests of the mix): no request
/// fails, every reply is what the handler defines, no trap, under ours and
/// upstream. (`cargo verify-release serve-bench` runs the long one.)
#[test]
fn proxy_flavour_under_a_short_load() {
    let dir = tempfile::tempdir().unwrap();
    for implementation in [Implementation::Ours, Implementation::Upstream] {
        let server = start(dir.path(), implementation);
        let load = serve::load(&server.base, 4, 125);
        println!(
            "{implementation:?}: {} requests, {} failed, {} wrong, p50 {:?}, p99 {:?}, {:.0}/s",
            load.requests,
            load.failed,
            load.wrong,
            load.percentile(0.5),
            load.percentile(0.99),
            load.per_second()
        );
        assert_eq!((load.requests, load.failed, load.wrong), (500, 0, 0), "{implementation:?}");
        let stderr = server.stderr();
        assert!(!stderr.contains("trap") && !stderr.contains("worker failed"), "{implementation:?}: {stderr}");
    }
}
