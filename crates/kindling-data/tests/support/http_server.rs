//! A tiny HTTP/1.1 server for tests: serves one byte string at one path, on
//! `127.0.0.1`, and records the requests it gets.
//!
//! It speaks just enough HTTP for a download client: `GET` with and without
//! `Range: bytes=N-`, `Content-Length`, `206` with `Content-Range`, `416`, `404`,
//! and `Connection: close` on every response (no keep-alive to get wrong).
//! [`Behaviour`] makes it misbehave in the ways a real network does.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// How the server answers requests for its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Answer properly, honouring `Range`.
    Serve,
    /// Always send the whole file with `200 OK`, as servers without range
    /// support do.
    IgnoreRange,
    /// Start a proper answer but close the connection after this many body
    /// bytes, as a dropped connection does.
    CutAfter(usize),
    /// Start a proper answer, send this many body bytes, then say nothing for
    /// this long before closing, as a dead connection does.
    StallAfter(usize, Duration),
    /// Answer `404 Not Found`.
    NotFound,
    /// Read the request, then say nothing for this long before closing.
    Stall(Duration),
}

/// A request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The raw `Range` header value, if any.
    pub range: Option<String>,
}

struct State {
    body: Vec<u8>,
    behaviour: Behaviour,
    requests: Vec<Recorded>,
}

/// A running server; stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    path: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Serves `body` at `path` (e.g. `/cifar.tar.gz`), behaving as [`Behaviour::Serve`].
    pub fn start(path: &str, body: Vec<u8>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind test server");
        let addr = listener.local_addr().expect("test server address");
        let state = Arc::new(Mutex::new(State {
            body,
            behaviour: Behaviour::Serve,
            requests: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop, path) = (state.clone(), stop.clone(), path.to_owned());
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (state, path) = (state.clone(), path.clone());
                    // One thread per connection, so a stalled one blocks nothing.
                    thread::spawn(move || handle(stream, &state, &path));
                }
            })
        };
        Self {
            addr,
            path: path.to_owned(),
            state,
            stop,
            thread: Some(thread),
        }
    }

    /// The URL of the served file.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.path)
    }

    /// A URL on this server where nothing is served.
    pub fn url_of(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Changes how later requests are answered.
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        lock(&self.state).behaviour = behaviour;
    }

    /// The requests received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.state).requests.clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panicking handler thread must not hide the test's own assertion.
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn handle(stream: TcpStream, state: &Mutex<State>, served_path: &str) {
    let Some(request) = read_request(&stream) else {
        return; // The wake-up connection from Drop, or a client that gave up.
    };
    let (body, behaviour) = {
        let mut state = lock(state);
        state.requests.push(request.clone());
        (state.body.clone(), state.behaviour)
    };
    let mut stream = stream;
    if let Behaviour::Stall(duration) = behaviour {
        thread::sleep(duration);
        let _ = stream.shutdown(Shutdown::Both);
        return;
    }
    if request.method != "GET" || request.path != served_path || behaviour == Behaviour::NotFound {
        let _ = write_response(&mut stream, "404 Not Found", &[], b"not found\n");
        return;
    }

    let len = body.len();
    let start = match behaviour {
        Behaviour::IgnoreRange => None,
        _ => request.range.as_deref().and_then(parse_range_start),
    };
    let _ = match start {
        Some(start) if start >= len => write_response(
            &mut stream,
            "416 Range Not Satisfiable",
            &[format!("Content-Range: bytes */{len}")],
            b"",
        ),
        Some(start) => {
            let headers = [
                format!("Content-Range: bytes {start}-{}/{len}", len - 1),
                format!("Content-Length: {}", len - start),
            ];
            send_body(
                &mut stream,
                "206 Partial Content",
                &headers,
                &body[start..],
                behaviour,
            )
        }
        None => {
            let headers = [format!("Content-Length: {len}")];
            send_body(&mut stream, "200 OK", &headers, &body, behaviour)
        }
    };
}

/// Writes head and body, or only the first K body bytes for [`Behaviour::CutAfter`]
/// and [`Behaviour::StallAfter`].
fn send_body(
    stream: &mut TcpStream,
    status: &str,
    headers: &[String],
    body: &[u8],
    behaviour: Behaviour,
) -> std::io::Result<()> {
    match behaviour {
        Behaviour::CutAfter(limit) => {
            write_head(stream, status, headers)?;
            stream.write_all(&body[..limit.min(body.len())])?;
            stream.flush()?;
            stream.shutdown(Shutdown::Both)
        }
        Behaviour::StallAfter(limit, duration) => {
            write_head(stream, status, headers)?;
            stream.write_all(&body[..limit.min(body.len())])?;
            stream.flush()?;
            thread::sleep(duration);
            stream.shutdown(Shutdown::Both)
        }
        _ => write_response(stream, status, headers, body),
    }
}

fn write_response(
    stream: &mut TcpStream,
    status: &str,
    headers: &[String],
    body: &[u8],
) -> std::io::Result<()> {
    let mut headers = headers.to_vec();
    if !headers.iter().any(|h| h.starts_with("Content-Length:")) {
        headers.push(format!("Content-Length: {}", body.len()));
    }
    write_head(stream, status, &headers)?;
    stream.write_all(body)?;
    stream.flush()
}

fn write_head(stream: &mut TcpStream, status: &str, headers: &[String]) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for header in headers {
        head.push_str(header);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())
}

/// Reads the request line and headers (GET requests have no body).
fn read_request(stream: &TcpStream) -> Option<Recorded> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut range = None;
    loop {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("range")
        {
            range = Some(value.trim().to_owned());
        }
    }
    Some(Recorded {
        method,
        path,
        range,
    })
}

/// `N` from `bytes=N-`; other range forms are ignored (answered with the whole
/// file), which HTTP allows.
fn parse_range_start(value: &str) -> Option<usize> {
    let spec = value.strip_prefix("bytes=")?;
    let (start, end) = spec.split_once('-')?;
    if !end.is_empty() {
        return None;
    }
    start.parse().ok()
}
