//! An HTTP handler (`wasi:http/incoming-handler`) whose language runtime
//! still uses preview1: `println!` writes through `fd_write`, `Instant`
//! reads the clock through `clock_time_get`, and `HashMap` seeds itself
//! through `random_get`. Routes:
//!
//! - `/echo` (any method): the request body back, with `x-method`, `x-path`,
//!   `x-checksum` (FNV-1a of the body, hex), `x-header-count` (distinct
//!   header names) and `x-greeting` (the request's, if any);
//! - `/big?bytes=N`: N bytes of a fixed pattern, streamed in pieces, with
//!   their `x-checksum`;
//! - `/exit?code=N`: `std::process::exit(N)` in the middle of a request;
//! - `/panic`: a Rust panic in the middle of a request;
//! - anything else: 404 with `not found: PATH`.
//!
//! Each request handled logs one line to stdout.

use std::collections::HashMap;
use std::time::Instant;

wit_bindgen::generate!({
    // Dependencies first: each package must be known before one using it.
    path: [
        "../../wit/deps/io-0.2.12",
        "../../wit/deps/clocks-0.2.12",
        "../../wit/deps/random-0.2.12",
        "../../wit/deps/filesystem-0.2.12",
        "../../wit/deps/sockets-0.2.12",
        "../../wit/deps/cli-0.2.12",
        "../../wit/deps/http-0.2.12",
        "wit",
    ],
    world: "verify:http-guest/handler",
    generate_all,
});

use exports::wasi::http::incoming_handler::Guest;
use wasi::http::types::{Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam};
use wasi::io::streams::StreamError;

struct Handler;

/// The largest piece written to the response body at once (what
/// `blocking-write-and-flush` accepts).
const PIECE: usize = 4096;

impl Guest for Handler {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let started = Instant::now();
        let method = method_name(&request.method());
        let target = request.path_with_query().unwrap_or_default();
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let headers = request.headers().entries();
        let mut names: HashMap<String, usize> = HashMap::new();
        for (name, _) in &headers {
            *names.entry(name.to_ascii_lowercase()).or_default() += 1;
        }
        let body = read_body(request);

        let (status, mut reply_headers, reply): (u16, Vec<(String, String)>, Reply) = match path {
            "/echo" => {
                let mut reply_headers = vec![
                    ("x-method".to_string(), method.clone()),
                    ("x-path".to_string(), target.clone()),
                    ("x-checksum".to_string(), format!("{:08x}", fnv1a(&body))),
                    ("x-header-count".to_string(), names.len().to_string()),
                ];
                if let Some((_, greeting)) = headers.iter().find(|(name, _)| name.eq_ignore_ascii_case("x-greeting")) {
                    reply_headers.push(("x-greeting".to_string(), String::from_utf8_lossy(greeting).into_owned()));
                }
                (200, reply_headers, Reply::Bytes(body))
            }
            "/big" => {
                let bytes = parameter(query, "bytes").unwrap_or(0);
                let checksum = fnv1a(&(0..bytes).map(pattern).collect::<Vec<u8>>());
                (200, vec![("x-checksum".to_string(), format!("{checksum:08x}"))], Reply::Pattern(bytes))
            }
            "/exit" => std::process::exit(parameter(query, "code").unwrap_or(1) as i32),
            "/panic" => panic!("http-guest: panic on purpose in {method} {target}"),
            _ => (404, Vec::new(), Reply::Bytes(format!("not found: {path}\n").into_bytes())),
        };
        reply_headers.push(("content-type".to_string(), "application/octet-stream".to_string()));
        let sent = respond(out, status, &reply_headers, reply);
        // The clock is read for the log; its value depends on the machine.
        let _elapsed = started.elapsed();
        println!("http-guest: {method} {target} -> {status}, {sent} bytes");
    }
}

enum Reply {
    Bytes(Vec<u8>),
    /// `pattern(0..n)`, generated piece by piece.
    Pattern(usize),
}

fn pattern(index: usize) -> u8 {
    ((index * 31 + 7) % 251) as u8
}

fn parameter(query: &str, name: &str) -> Option<usize> {
    query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
}

fn method_name(method: &Method) -> String {
    match method {
        Method::Get => "GET".into(),
        Method::Head => "HEAD".into(),
        Method::Post => "POST".into(),
        Method::Put => "PUT".into(),
        Method::Delete => "DELETE".into(),
        Method::Connect => "CONNECT".into(),
        Method::Options => "OPTIONS".into(),
        Method::Trace => "TRACE".into(),
        Method::Patch => "PATCH".into(),
        Method::Other(other) => other.clone(),
    }
}

fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(2_166_136_261u32, |hash, byte| (hash ^ u32::from(*byte)).wrapping_mul(16_777_619))
}

fn read_body(request: IncomingRequest) -> Vec<u8> {
    let mut bytes = Vec::new();
    let Ok(body) = request.consume() else { return bytes };
    if let Ok(stream) = body.stream() {
        loop {
            match stream.blocking_read(65536) {
                Ok(piece) => bytes.extend_from_slice(&piece),
                Err(StreamError::Closed) => break,
                Err(StreamError::LastOperationFailed(error)) => panic!("reading the request body: {}", error.to_debug_string()),
            }
        }
    }
    let _ = IncomingBody::finish(body);
    bytes
}

/// Sends the response; returns the number of body bytes written.
fn respond(out: ResponseOutparam, status: u16, headers: &[(String, String)], reply: Reply) -> usize {
    let entries: Vec<(String, Vec<u8>)> = headers.iter().map(|(name, value)| (name.clone(), value.clone().into_bytes())).collect();
    let fields = Fields::from_list(&entries).expect("valid response headers");
    let response = OutgoingResponse::new(fields);
    response.set_status_code(status).expect("a valid status");
    let body = response.body().expect("the body of a new response");
    ResponseOutparam::set(out, Ok(response));
    let stream = body.write().expect("the body's stream");
    let mut sent = 0;
    let mut write = |piece: &[u8]| {
        stream.blocking_write_and_flush(piece).expect("writing the response body");
        sent += piece.len();
    };
    match reply {
        Reply::Bytes(bytes) => bytes.chunks(PIECE).for_each(&mut write),
        Reply::Pattern(count) => {
            let mut piece = Vec::with_capacity(PIECE);
            for index in 0..count {
                piece.push(pattern(index));
                if piece.len() == PIECE {
                    write(&piece);
                    piece.clear();
                }
            }
            if !piece.is_empty() {
                write(&piece);
            }
        }
    }
    drop(stream);
    OutgoingBody::finish(body, None).expect("finishing the response body");
    sent
}

export!(Handler);
