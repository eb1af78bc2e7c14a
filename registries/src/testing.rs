//! A small HTTP/1.1 server on 127.0.0.1 for tests of the client: it serves the routes a test
//! gives it (with `ETag` revalidation and byte ranges), records every request it receives,
//! and injects faults — error statuses, connections closed without an answer, stalls, bodies
//! shorter than their `Content-Length`, answers trickled a byte at a time — and hostile
//! answers: a `Content-Length` far beyond the body, bodies that never end. Built on `std::net` (one thread per connection,
//! `Connection: close` on every answer), so the client under test is the real one talking to
//! a real socket. Only compiled for tests (`cfg(test)` or the `test-server` feature).
//! [`serve_shards`] serves a `repodata.json` as sharded repodata (CEP 16).

mod shards;
pub use shards::{ServedShards, ShardHash, serve_shards};

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the next request to a route gets instead of the route's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// This status, with an empty body.
    Status(u16),
    /// The connection is closed without an answer.
    Close,
    /// Nothing is sent for this long, then the real answer.
    Stall(Duration),
    /// The headers announce the whole body; only half of it is sent before the connection
    /// is closed.
    Truncate,
    /// The answer is sent one byte at a time, this long apart.
    Trickle(Duration),
}

/// What a route serves.
#[derive(Debug, Clone, Default)]
pub struct Route {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Answer `Range` requests with 206.
    pub ranges: bool,
    /// Served as `ETag`; a request with a matching `If-None-Match` gets 304.
    pub etag: Option<String>,
    /// Faults for the next requests, in order.
    pub faults: VecDeque<Fault>,
    /// The `Authorization` header required (401 without it).
    pub auth: Option<String>,
    /// The `Content-Length` announced instead of the body's length (the body is sent as it
    /// is, then the connection is held open until the client gives up or it is dropped).
    pub length: Option<u64>,
    /// No `Content-Length`: the body is sent again and again until the client hangs up.
    pub endless: bool,
}

impl Route {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Route {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            ..Route::default()
        }
    }

    /// A `302 Found` to `location`.
    pub fn redirect(location: &str) -> Self {
        Route {
            status: 302,
            headers: vec![("Location".into(), location.into())],
            ..Route::default()
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn with_ranges(mut self) -> Self {
        self.ranges = true;
        self
    }

    pub fn with_etag(mut self, etag: &str) -> Self {
        self.etag = Some(etag.into());
        self
    }

    pub fn with_faults(mut self, faults: impl IntoIterator<Item = Fault>) -> Self {
        self.faults.extend(faults);
        self
    }

    /// Announces a `Content-Length` of `length` bytes, whatever the body is.
    pub fn with_length(mut self, length: u64) -> Self {
        self.length = Some(length);
        self
    }

    /// Sends the body over and over, without a `Content-Length`, until the client hangs up.
    pub fn endless(mut self) -> Self {
        self.endless = true;
        self
    }

    pub fn with_auth(mut self, header: &str) -> Self {
        self.auth = Some(header.into());
        self
    }
}

/// A request as received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

#[derive(Default)]
struct State {
    routes: HashMap<String, Route>,
    seen: Vec<Seen>,
    /// Requests being answered now, and the most at once so far.
    in_flight: usize,
    max_in_flight: usize,
}

/// Counts a request as in flight while it lives.
struct InFlight<'a>(&'a Mutex<State>);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut st = lock(self.0);
        st.in_flight = st.in_flight.saturating_sub(1);
    }
}

/// The running server; it stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
}

impl TestServer {
    /// A server on 127.0.0.1 at a free port.
    pub fn start() -> Self {
        Self::start_on("127.0.0.1")
    }

    /// A server on another loopback address (`127.0.0.2`: another host for the client).
    pub fn start_on(ip: &str) -> Self {
        let listener = TcpListener::bind((ip, 0)).expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (state.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let s = s.clone();
                std::thread::spawn(move || serve(stream, &s));
            }
        });
        TestServer { addr, state, stop }
    }

    /// `http://IP:PORT/path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn host(&self) -> String {
        self.addr.ip().to_string()
    }

    pub fn route(&self, path: &str, route: Route) {
        lock(&self.state).routes.insert(path.to_string(), route);
    }

    /// Adds faults to an existing route.
    pub fn inject(&self, path: &str, faults: impl IntoIterator<Item = Fault>) {
        if let Some(r) = lock(&self.state).routes.get_mut(path) {
            r.faults.extend(faults);
        }
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        lock(&self.state).seen.clone()
    }

    /// The requests received for `path`.
    pub fn seen_at(&self, path: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path == path).collect()
    }

    pub fn forget(&self) {
        let mut st = lock(&self.state);
        st.seen.clear();
        st.max_in_flight = 0;
    }

    /// The most requests answered at once since the start (or the last [`Self::forget`]).
    pub fn max_in_flight(&self) -> usize {
        lock(&self.state).max_in_flight
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.is_empty() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let seen = Seen {
        path: path.clone(),
        headers,
    };
    let _in_flight = InFlight(state);
    let (route, fault) = {
        let mut st = lock(state);
        st.in_flight += 1;
        st.max_in_flight = st.max_in_flight.max(st.in_flight);
        st.seen.push(seen.clone());
        match st.routes.get_mut(&path) {
            Some(r) => {
                let fault = r.faults.pop_front();
                (Some(r.clone()), fault)
            }
            None => (None, None),
        }
    };
    let mut stream = stream;
    let Some(route) = route else {
        respond(&mut stream, 404, &[], b"not found", None);
        return;
    };
    match fault {
        Some(Fault::Status(code)) => {
            respond(&mut stream, code, &[], b"", None);
            return;
        }
        Some(Fault::Close) => {
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return;
        }
        Some(Fault::Stall(d)) => std::thread::sleep(d),
        Some(Fault::Truncate) | Some(Fault::Trickle(_)) | None => {}
    }
    if let Some(expected) = &route.auth
        && seen.header("authorization") != Some(expected.as_str())
    {
        respond(&mut stream, 401, &[], b"unauthorized", None);
        return;
    }
    let mut extra: Vec<(String, String)> = route.headers.clone();
    if let Some(etag) = &route.etag {
        extra.push(("ETag".into(), etag.clone()));
        if seen.header("if-none-match") == Some(etag.as_str()) {
            respond(&mut stream, 304, &extra, b"", None);
            return;
        }
    }
    let truncate = fault == Some(Fault::Truncate);
    if route.ranges
        && let Some(range) = seen.header("range")
        && let Some((first, last)) = parse_range(range, route.body.len() as u64)
    {
        extra.push((
            "Content-Range".into(),
            format!("bytes {first}-{last}/{}", route.body.len()),
        ));
        let body = &route.body[first as usize..=last as usize];
        respond(
            &mut stream,
            206,
            &extra,
            body,
            truncate.then_some(body.len() / 2),
        );
        return;
    }
    if route.ranges {
        extra.push(("Accept-Ranges".into(), "bytes".into()));
    }
    if route.endless {
        let mut head = format!("HTTP/1.1 {} X\r\n", route.status);
        for (k, v) in &extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("Connection: close\r\n\r\n");
        let _ = stream.write_all(head.as_bytes());
        while !route.body.is_empty() && stream.write_all(&route.body).is_ok() {}
        return;
    }
    if let Some(length) = route.length {
        let mut head = format!(
            "HTTP/1.1 {} X\r\nContent-Length: {length}\r\n",
            route.status
        );
        for (k, v) in &extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&route.body);
        let _ = stream.flush();
        // Held open: the client must not wait for the rest.
        let mut buf = [0u8; 1];
        let _ = std::io::Read::read(&mut stream, &mut buf);
        return;
    }
    if let Some(Fault::Trickle(every)) = fault {
        let mut head = format!(
            "HTTP/1.1 {} X\r\nContent-Length: {}\r\n",
            route.status,
            route.body.len()
        );
        for (k, v) in &extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("Connection: close\r\n\r\n");
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        for byte in &route.body {
            std::thread::sleep(every);
            if stream
                .write_all(&[*byte])
                .and_then(|()| stream.flush())
                .is_err()
            {
                return;
            }
        }
        return;
    }
    let cut = truncate.then_some(route.body.len() / 2);
    respond(&mut stream, route.status, &extra, &route.body, cut);
}

/// `bytes=A-B` or `bytes=-N` as an inclusive range within `len`.
fn parse_range(value: &str, len: u64) -> Option<(u64, u64)> {
    let spec = value.strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    if len == 0 {
        return None;
    }
    if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        return Some((len.saturating_sub(n), len - 1));
    }
    let first: u64 = a.parse().ok()?;
    let last: u64 = if b.is_empty() {
        len - 1
    } else {
        b.parse::<u64>().ok()?.min(len - 1)
    };
    (first <= last).then_some((first, last))
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    cut: Option<usize>,
) {
    let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    let sent = cut.unwrap_or(body.len());
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body[..sent]);
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// A path under `../shared` beside the project (the read-only data the tests share;
/// `UNILOCK_SHARED` points elsewhere). When it is missing the test is skipped with a visible
/// message, unless `CI` is set, in which case it fails naming the missing path.
pub fn shared(path: &str) -> Option<std::path::PathBuf> {
    let root = std::env::var_os("UNILOCK_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("..")
                .join("shared")
        });
    let full = root.join(path);
    if full.exists() {
        return Some(full);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "shared data missing: {} (CI expects ../shared beside the project)",
            full.display()
        );
    }
    eprintln!(
        "SKIPPED: {} is missing; put ../shared beside the project to run this test",
        full.display()
    );
    None
}
