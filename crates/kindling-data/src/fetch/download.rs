//! HTTP download to a `.part` file, resumable, streamed, with a progress bar.
//!
//! A partial file is continued with `Range: bytes=N-`. The server may answer
//! `206 Partial Content` (append), `200 OK` (it ignores ranges: start over), or
//! `416 Range Not Satisfiable` (the partial file is already whole, or longer than
//! the file: keep it, or start over).

use std::fs::{File, OpenOptions};
use std::io::{self, IsTerminal, Read, Write};
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ureq::Agent;
use ureq::http::{HeaderMap, Uri, header};

use super::{FetchError, remove_if_exists};

/// One download: where from, where to, and how to report it.
pub(crate) struct DownloadRequest<'a> {
    pub url: &'a str,
    /// The `.part` file to create or continue.
    pub part: &'a Path,
    /// Where a hand-extracted dataset would go; only for error messages.
    pub manual_dest: &'a Path,
    pub progress: bool,
    pub stall_timeout: Duration,
}

/// What a finished download did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transfer {
    /// Received the whole file.
    Fresh { bytes: u64 },
    /// Continued a partial file that held `from_byte` bytes.
    Resumed { from_byte: u64, bytes: u64 },
}

/// Downloads `req.url` into `req.part`, continuing it if it exists. On success the
/// part file holds the whole body (as far as the server's lengths tell).
pub(crate) fn download(req: &DownloadRequest) -> Result<Transfer, FetchError> {
    let agent = agent_for(req.url, req.stall_timeout);
    let start = existing_len(req.part)?;
    match attempt(&agent, req, start)? {
        Attempt::Done(transfer) => Ok(transfer),
        Attempt::StartOver => {
            remove_if_exists(req.part)?;
            match attempt(&agent, req, 0)? {
                Attempt::Done(transfer) => Ok(transfer),
                // Only reachable with a range request, and this one had none.
                Attempt::StartOver => Err(FetchError::UnexpectedResponse {
                    url: req.url.to_owned(),
                    problem: "it refused a request for the whole file".to_owned(),
                }),
            }
        }
    }
}

enum Attempt {
    Done(Transfer),
    /// The partial file cannot be continued; delete it and download from zero.
    StartOver,
}

fn attempt(agent: &Agent, req: &DownloadRequest, start: u64) -> Result<Attempt, FetchError> {
    let mut request = agent.get(req.url);
    if start > 0 {
        request = request.header(header::RANGE, format!("bytes={start}-"));
    }
    let response = request.call().map_err(|error| FetchError::Unreachable {
        url: req.url.to_owned(),
        reason: describe_ureq_error(&error),
        manual_dest: req.manual_dest.to_path_buf(),
    })?;

    let status = response.status().as_u16();
    let headers = response.headers();
    let unexpected = |problem: String| FetchError::UnexpectedResponse {
        url: req.url.to_owned(),
        problem,
    };

    if let Some(encoding) = headers.get(header::CONTENT_ENCODING) {
        // ureq would transparently decompress, storing a `.tar` under a `.tar.gz`
        // name. We asked for `identity`; a server that compresses anyway is broken.
        let encoding = encoding.to_str().unwrap_or("?");
        if !encoding.eq_ignore_ascii_case("identity") {
            return Err(unexpected(format!(
                "it compressed the file with `Content-Encoding: {encoding}` although \
                 asked not to"
            )));
        }
    }

    let (resume_from, total) = match status {
        200 => (0, response.body().content_length()),
        206 if start > 0 => {
            let range = content_range(headers).ok_or_else(|| {
                unexpected("it sent 206 Partial Content without a valid Content-Range".to_owned())
            })?;
            if range.start != start {
                // Appending bytes from elsewhere would corrupt the file.
                remove_if_exists(req.part)?;
                return Err(unexpected(format!(
                    "asked to resume at byte {start}, it sent bytes from {}; the partial \
                     file was deleted",
                    range.start
                )));
            }
            (start, range.total)
        }
        416 if start > 0 => {
            let total = content_range(headers).and_then(|range| range.total);
            return Ok(match total {
                // The earlier run received everything but stopped before the check.
                Some(total) if total == start => Attempt::Done(Transfer::Resumed {
                    from_byte: start,
                    bytes: 0,
                }),
                _ => Attempt::StartOver,
            });
        }
        _ => {
            return Err(FetchError::HttpStatus {
                url: req.url.to_owned(),
                status,
                manual_dest: req.manual_dest.to_path_buf(),
            });
        }
    };

    let mut file = open_part(req.part, resume_from > 0)?;
    let bar = progress_bar(req.progress, total, resume_from);
    let mut body = response.into_body().into_reader();
    let received = copy_to_part(&mut body, &mut file, &bar, req, resume_from, total)?;
    bar.finish_and_clear();

    Ok(Attempt::Done(if resume_from > 0 {
        Transfer::Resumed {
            from_byte: resume_from,
            bytes: received,
        }
    } else {
        Transfer::Fresh { bytes: received }
    }))
}

/// Streams `body` to the end of `file` in chunks. Returns the bytes received.
fn copy_to_part(
    body: &mut impl Read,
    file: &mut File,
    bar: &ProgressBar,
    req: &DownloadRequest,
    resume_from: u64,
    total: Option<u64>,
) -> Result<u64, FetchError> {
    let interrupted = |received: u64, reason: String| FetchError::Interrupted {
        url: req.url.to_owned(),
        part: req.part.to_path_buf(),
        received: resume_from + received,
        total,
        reason,
    };
    let write_error = FetchError::io("write", req.part);

    let mut buffer = vec![0; 64 * 1024];
    let mut received = 0u64;
    loop {
        let n = match body.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            // What arrived is already in the file; the next run resumes after it.
            Err(error) => return Err(interrupted(received, describe_read_error(&error))),
        };
        if let Err(error) = file.write_all(&buffer[..n]) {
            return Err(write_error(error));
        }
        received += n as u64;
        bar.inc(n as u64);
    }
    // ureq already checks Content-Length; this also covers 206's Content-Range.
    if let Some(total) = total
        && resume_from + received != total
    {
        return Err(interrupted(
            received,
            "the server closed the connection before the end of the file".to_owned(),
        ));
    }
    // Durable before the checksum check and rename that follow.
    file.sync_all().map_err(FetchError::io("write", req.part))?;
    Ok(received)
}

/// An agent that reports HTTP errors as responses (so 416 can be handled) and
/// gives up when the server stalls.
fn agent_for(url: &str, stall_timeout: Duration) -> Agent {
    let mut config = Agent::config_builder()
        .http_status_as_error(false)
        // A resumed download must get the raw bytes of the file.
        .accept_encoding("identity")
        .timeout_resolve(Some(stall_timeout))
        .timeout_connect(Some(stall_timeout))
        .timeout_per_read(Some(stall_timeout));
    if is_loopback(url) {
        // ureq takes HTTP(S)_PROXY from the environment; a proxy cannot reach this
        // machine's loopback address (a local mirror, or the tests' server).
        config = config.proxy(None);
    }
    config.build().into()
}

fn is_loopback(url: &str) -> bool {
    let Ok(uri) = url.parse::<Uri>() else {
        return false;
    };
    let Some(host) = uri.host() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// ureq's messages for the common failures are terse ("io: Connection refused");
/// say what they mean.
fn describe_ureq_error(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Io(io) if io.kind() == io::ErrorKind::ConnectionRefused => {
            "the connection was refused (no server is listening at that address)".to_owned()
        }
        ureq::Error::HostNotFound => "the host name could not be resolved".to_owned(),
        ureq::Error::Timeout(_) => format!("the server did not answer in time ({error})"),
        ureq::Error::BadUri(_) => format!("the address is not a valid URL ({error})"),
        _ => error.to_string(),
    }
}

/// Body read errors are `io::Error`s, with ureq's own error (a timeout, say)
/// wrapped inside.
fn describe_read_error(error: &io::Error) -> String {
    let inner = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ureq::Error>());
    if error.kind() == io::ErrorKind::TimedOut || matches!(inner, Some(ureq::Error::Timeout(_))) {
        format!("the server stopped sending data ({error})")
    } else {
        format!("the connection broke ({error})")
    }
}

fn existing_len(part: &Path) -> Result<u64, FetchError> {
    match std::fs::metadata(part) {
        Ok(meta) if meta.is_file() => Ok(meta.len()),
        Ok(_) => Err(FetchError::Io {
            action: "use",
            path: part.to_path_buf(),
            cause: io::Error::other("it exists but is not a file; delete it"),
        }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(0),
        Err(error) => Err(FetchError::io("read", part)(error)),
    }
}

fn open_part(part: &Path, append: bool) -> Result<File, FetchError> {
    let mut options = OpenOptions::new();
    if append {
        options.append(true);
    } else {
        options.write(true).create(true).truncate(true);
    }
    options
        .open(part)
        .map_err(FetchError::io("open for writing", part))
}

/// A bar with bytes, speed and ETA, or a spinner when the size is unknown; hidden
/// when not wanted or when stderr is not a terminal.
fn progress_bar(show: bool, total: Option<u64>, position: u64) -> ProgressBar {
    if !show || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let (template, bar) = match total {
        Some(total) => (
            "{bytes:>10}/{total_bytes} [{wide_bar}] {binary_bytes_per_sec} eta {eta}",
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
        ),
        None => (
            "{spinner} {bytes} {binary_bytes_per_sec}",
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
        ),
    };
    // The templates are constants, so this fallback is never expected to run.
    let style = ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let bar = bar.with_style(style).with_position(position);
    // Bytes from an earlier run arrived "instantly": keep them out of the speed.
    bar.reset_eta();
    bar
}

/// A parsed `Content-Range: bytes START-END/TOTAL` (or `bytes */TOTAL` for 416).
#[derive(Debug, PartialEq, Eq)]
struct ContentRange {
    start: u64,
    total: Option<u64>,
}

fn content_range(headers: &HeaderMap) -> Option<ContentRange> {
    parse_content_range(headers.get(header::CONTENT_RANGE)?.to_str().ok()?)
}

fn parse_content_range(value: &str) -> Option<ContentRange> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let total = match total.trim() {
        "*" => None,
        total => Some(total.parse().ok()?),
    };
    let start = match range.trim() {
        "*" => 0,
        range => range.split_once('-')?.0.trim().parse().ok()?,
    };
    Some(ContentRange { start, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_forms_parse() {
        assert_eq!(
            parse_content_range("bytes 100-199/200"),
            Some(ContentRange {
                start: 100,
                total: Some(200)
            })
        );
        assert_eq!(
            parse_content_range("bytes 5-9/*"),
            Some(ContentRange {
                start: 5,
                total: None
            })
        );
        assert_eq!(
            parse_content_range("bytes */300"),
            Some(ContentRange {
                start: 0,
                total: Some(300)
            })
        );
        assert_eq!(parse_content_range("items 1-2/3"), None);
        assert_eq!(parse_content_range("bytes x-2/3"), None);
    }

    #[test]
    fn loopback_urls_are_recognised() {
        assert!(is_loopback("http://127.0.0.1:8080/a.tar.gz"));
        assert!(is_loopback("http://localhost/a"));
        assert!(is_loopback("http://[::1]:80/a"));
        assert!(!is_loopback("https://www.cs.toronto.edu/~kriz/x"));
        assert!(!is_loopback("not a url"));
    }
}
