//! `fetch_cifar10` against a local test server serving a small, generated
//! CIFAR-10-shaped tarball. No test touches the real network or the real cache.

#[path = "support/http_server.rs"]
mod http_server;

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use flate2::Compression;
use flate2::write::GzEncoder;
use http_server::{Behaviour, TestServer};
use kindling_data::fetch::{
    CIFAR10_ARCHIVE, CIFAR10_DIR, CIFAR10_FILES, FetchError, FetchOptions, FetchOutcome,
    FetchSource, data_dir_from, fetch_cifar10,
};
use md5::{Digest, Md5};

const SERVED_PATH: &str = "/cifar-10-binary.tar.gz";

/// Deterministic, incompressible bytes, so the tarball is big enough (~85 KB) to
/// cut mid-way and to need several read chunks.
fn dummy_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            // xorshift64
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// The contents of each expected file, by name.
fn dataset_files() -> Vec<(String, Vec<u8>)> {
    CIFAR10_FILES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let contents = if name.ends_with(".txt") {
                b"airplane\nautomobile\nbird\n".to_vec()
            } else {
                dummy_bytes(i as u64 + 1, 12_000)
            };
            ((*name).to_owned(), contents)
        })
        .collect()
}

/// A `.tar.gz` holding `entries` (path inside the archive, contents), written
/// with raw header names so that tests can also build malicious archives.
fn tarball(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_path(format!("{CIFAR10_DIR}/")).unwrap();
    dir.set_mode(0o755);
    dir.set_size(0);
    dir.set_cksum();
    builder.append(&dir, std::io::empty()).unwrap();
    for (path, contents) in entries {
        let mut header = tar::Header::new_gnu();
        // `set_path` refuses `..`; write the name field directly instead.
        let name = &mut header.as_old_mut().name;
        name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o644);
        header.set_size(contents.len() as u64);
        header.set_cksum();
        builder.append(&header, contents.as_slice()).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

fn cifar_tarball() -> Vec<u8> {
    let entries: Vec<_> = dataset_files()
        .into_iter()
        .map(|(name, contents)| (format!("{CIFAR10_DIR}/{name}"), contents))
        .collect();
    tarball(&entries)
}

fn md5_hex(bytes: &[u8]) -> String {
    format!("{:x}", Md5::digest(bytes))
}

fn options(url: String, md5: String, cache_dir: &Path) -> FetchOptions {
    FetchOptions {
        url,
        md5,
        cache_dir: cache_dir.to_path_buf(),
        progress: false,
        stall_timeout: Duration::from_secs(10),
    }
}

/// A server for `body` and options that expect it, caching in `cache`.
fn serve(body: Vec<u8>, cache: &Path) -> (TestServer, FetchOptions) {
    let md5 = md5_hex(&body);
    let server = TestServer::start(SERVED_PATH, body);
    let opts = options(server.url(), md5, cache);
    (server, opts)
}

fn part_path(cache: &Path) -> PathBuf {
    cache.join(format!("{CIFAR10_ARCHIVE}.part"))
}

/// Names in `dir`, sorted (to check that nothing else was left behind).
fn entries_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The dataset folder holds exactly the expected files with the expected bytes.
fn assert_dataset_installed(outcome: &FetchOutcome, cache: &Path) {
    let dir = cache.join(CIFAR10_DIR);
    assert_eq!(outcome.dataset_dir, dir);
    let mut expected: Vec<String> = CIFAR10_FILES.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(entries_in(&dir), expected);
    for (name, contents) in dataset_files() {
        assert_eq!(fs::read(dir.join(&name)).unwrap(), contents, "{name}");
    }
    // The archive is deleted after extraction; no part or temporary folder remains.
    assert_eq!(entries_in(cache), vec![CIFAR10_DIR.to_owned()]);
}

#[test]
fn a_fresh_download_is_extracted_and_the_archive_deleted() {
    let temp = tempfile::tempdir().unwrap();
    let cache = temp.path().join("cache"); // Does not exist yet: must be created.
    let body = cifar_tarball();
    let len = body.len() as u64;
    let (server, opts) = serve(body, &cache);

    let outcome = fetch_cifar10(&opts).unwrap();

    assert_eq!(outcome.source, FetchSource::Downloaded { bytes: len });
    assert_dataset_installed(&outcome, &cache);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, SERVED_PATH);
    assert_eq!(requests[0].range, None);
}

#[test]
fn a_complete_folder_is_used_without_any_request() {
    let cache = tempfile::tempdir().unwrap();
    let dir = cache.path().join(CIFAR10_DIR);
    fs::create_dir(&dir).unwrap();
    for name in CIFAR10_FILES {
        fs::write(dir.join(name), b"already here").unwrap();
    }
    let (server, opts) = serve(cifar_tarball(), cache.path());

    let outcome = fetch_cifar10(&opts).unwrap();

    assert_eq!(outcome.source, FetchSource::AlreadyPresent);
    assert_eq!(outcome.dataset_dir, dir);
    assert!(server.requests().is_empty());
    assert_eq!(
        fs::read(dir.join("test_batch.bin")).unwrap(),
        b"already here"
    );
}

#[test]
fn an_interrupted_download_is_kept_and_resumed_with_a_range_request() {
    let cache = tempfile::tempdir().unwrap();
    let body = cifar_tarball();
    let len = body.len() as u64;
    let (server, opts) = serve(body, cache.path());

    server.set_behaviour(Behaviour::CutAfter(40_000));
    let error = fetch_cifar10(&opts).unwrap_err();
    assert!(
        matches!(error, FetchError::Interrupted { total: Some(t), .. } if t == len),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains(&opts.url), "{message}");
    assert!(
        message.contains("run the command again to resume"),
        "{message}"
    );
    let kept = fs::metadata(part_path(cache.path())).unwrap().len();
    assert!(kept > 0 && kept <= 40_000, "kept {kept} bytes");
    assert!(!cache.path().join(CIFAR10_DIR).exists());

    server.set_behaviour(Behaviour::Serve);
    let outcome = fetch_cifar10(&opts).unwrap();

    assert_eq!(
        outcome.source,
        FetchSource::Resumed {
            from_byte: kept,
            bytes: len - kept
        }
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].range, Some(format!("bytes={kept}-")));
    assert_dataset_installed(&outcome, cache.path());
}

#[test]
fn a_server_that_ignores_ranges_makes_the_download_start_over() {
    let cache = tempfile::tempdir().unwrap();
    let body = cifar_tarball();
    let len = body.len() as u64;
    let (server, opts) = serve(body, cache.path());
    // Bytes that match nothing: appending the full body to them would fail the
    // checksum, so success proves the file was restarted from zero.
    fs::write(part_path(cache.path()), vec![0xAB; 1000]).unwrap();
    server.set_behaviour(Behaviour::IgnoreRange);

    let outcome = fetch_cifar10(&opts).unwrap();

    assert_eq!(outcome.source, FetchSource::Downloaded { bytes: len });
    assert_eq!(server.requests()[0].range.as_deref(), Some("bytes=1000-"));
    assert_dataset_installed(&outcome, cache.path());
}

#[test]
fn a_partial_file_that_is_already_whole_is_not_downloaded_again() {
    let cache = tempfile::tempdir().unwrap();
    let body = cifar_tarball();
    let len = body.len() as u64;
    fs::write(part_path(cache.path()), &body).unwrap();
    let (server, opts) = serve(body, cache.path());

    // The server answers 416 Range Not Satisfiable with the file's size.
    let outcome = fetch_cifar10(&opts).unwrap();

    assert_eq!(
        outcome.source,
        FetchSource::Resumed {
            from_byte: len,
            bytes: 0
        }
    );
    assert_eq!(server.requests()[0].range, Some(format!("bytes={len}-")));
    assert_dataset_installed(&outcome, cache.path());
}

#[test]
fn a_verified_archive_from_an_earlier_run_is_extracted_without_downloading() {
    let cache = tempfile::tempdir().unwrap();
    let body = cifar_tarball();
    fs::write(cache.path().join(CIFAR10_ARCHIVE), &body).unwrap();
    let (server, opts) = serve(body, cache.path());

    let outcome = fetch_cifar10(&opts).unwrap();

    assert_eq!(outcome.source, FetchSource::CachedArchive);
    assert!(server.requests().is_empty());
    assert_dataset_installed(&outcome, cache.path());
}

#[test]
fn a_wrong_checksum_deletes_the_download_and_installs_nothing() {
    let cache = tempfile::tempdir().unwrap();
    let body = cifar_tarball();
    let actual = md5_hex(&body);
    let (_server, mut opts) = serve(body, cache.path());
    let expected = "0123456789abcdef0123456789abcdef".to_owned();
    opts.md5 = expected.clone();

    let error = fetch_cifar10(&opts).unwrap_err();

    match &error {
        FetchError::ChecksumMismatch {
            expected: e,
            actual: a,
            path,
            ..
        } => {
            assert_eq!((e, a), (&expected, &actual));
            assert_eq!(path, &part_path(cache.path()));
        }
        other => panic!("expected a checksum mismatch, got {other:?}"),
    }
    let message = error.to_string();
    for needle in [
        expected.as_str(),
        actual.as_str(),
        "cifar-10-binary.tar.gz.part",
        "--url",
    ] {
        assert!(message.contains(needle), "{needle:?} not in: {message}");
    }
    assert!(
        entries_in(cache.path()).is_empty(),
        "left behind: {:?}",
        entries_in(cache.path())
    );
}

#[test]
fn a_malformed_checksum_is_refused_before_any_request() {
    let cache = tempfile::tempdir().unwrap();
    let (server, mut opts) = serve(cifar_tarball(), cache.path());
    opts.md5 = "not-a-checksum".to_owned();

    let error = fetch_cifar10(&opts).unwrap_err();

    assert!(
        matches!(error, FetchError::BadChecksumFormat { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("not-a-checksum"));
    assert!(server.requests().is_empty());
}

#[test]
fn a_404_is_a_clear_error_that_leaves_nothing_behind() {
    let cache = tempfile::tempdir().unwrap();
    let (server, mut opts) = serve(cifar_tarball(), cache.path());
    opts.url = server.url_of("/nope.tar.gz");

    let error = fetch_cifar10(&opts).unwrap_err();

    assert!(
        matches!(error, FetchError::HttpStatus { status: 404, .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains(&opts.url), "{message}");
    assert!(message.contains("HTTP 404"), "{message}");
    assert!(message.contains("--url"), "{message}");
    // The manual fix names where the folder should go.
    let dest = cache.path().join(CIFAR10_DIR);
    assert!(message.contains(&dest.display().to_string()), "{message}");
    assert!(entries_in(cache.path()).is_empty());
}

#[test]
fn a_refused_connection_is_a_clear_error() {
    let cache = tempfile::tempdir().unwrap();
    // Reserve a free port, then free it: nothing listens there any more.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("http://{addr}{SERVED_PATH}");
    let opts = options(url.clone(), md5_hex(b""), cache.path());

    let error = fetch_cifar10(&opts).unwrap_err();

    assert!(matches!(error, FetchError::Unreachable { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&url), "{message}");
    assert!(message.contains("refused"), "{message}");
    assert!(message.contains("check your network"), "{message}");
    assert!(entries_in(cache.path()).is_empty());
}

#[test]
fn a_server_that_stalls_times_out() {
    let cache = tempfile::tempdir().unwrap();
    let (server, mut opts) = serve(cifar_tarball(), cache.path());
    server.set_behaviour(Behaviour::Stall(Duration::from_secs(5)));
    opts.stall_timeout = Duration::from_millis(300);

    let started = Instant::now();
    let error = fetch_cifar10(&opts).unwrap_err();

    assert!(
        started.elapsed() < Duration::from_secs(4),
        "did not time out"
    );
    assert!(matches!(error, FetchError::Unreachable { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&opts.url), "{message}");
    assert!(message.contains("did not answer in time"), "{message}");
}

#[test]
fn a_server_that_stalls_mid_download_times_out_and_keeps_the_partial_file() {
    let cache = tempfile::tempdir().unwrap();
    let (server, mut opts) = serve(cifar_tarball(), cache.path());
    server.set_behaviour(Behaviour::StallAfter(10_000, Duration::from_secs(5)));
    opts.stall_timeout = Duration::from_millis(300);

    let started = Instant::now();
    let error = fetch_cifar10(&opts).unwrap_err();

    assert!(
        started.elapsed() < Duration::from_secs(4),
        "did not time out"
    );
    assert!(matches!(error, FetchError::Interrupted { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("stopped sending data"), "{message}");
    assert_eq!(fs::metadata(part_path(cache.path())).unwrap().len(), 10_000);
}

#[test]
fn an_archive_missing_a_file_installs_nothing() {
    let cache = tempfile::tempdir().unwrap();
    let entries: Vec<_> = dataset_files()
        .into_iter()
        .filter(|(name, _)| name != "test_batch.bin")
        .map(|(name, contents)| (format!("{CIFAR10_DIR}/{name}"), contents))
        .collect();
    let (_server, opts) = serve(tarball(&entries), cache.path());

    let error = fetch_cifar10(&opts).unwrap_err();

    match &error {
        FetchError::MissingFiles { missing, .. } => assert_eq!(missing, &["test_batch.bin"]),
        other => panic!("expected missing files, got {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains("test_batch.bin"), "{message}");
    assert!(message.contains(CIFAR10_ARCHIVE), "{message}");
    // No dataset folder, no temporary folder, no archive.
    assert!(
        entries_in(cache.path()).is_empty(),
        "left behind: {:?}",
        entries_in(cache.path())
    );
}

#[test]
fn an_archive_entry_with_dot_dot_is_refused() {
    let temp = tempfile::tempdir().unwrap();
    let cache = temp.path().join("cache");
    let mut entries: Vec<_> = dataset_files()
        .into_iter()
        .map(|(name, contents)| (format!("{CIFAR10_DIR}/{name}"), contents))
        .collect();
    entries.push((
        format!("{CIFAR10_DIR}/../../escaped.txt"),
        b"gotcha".to_vec(),
    ));
    let (_server, opts) = serve(tarball(&entries), &cache);

    let error = fetch_cifar10(&opts).unwrap_err();

    assert!(
        matches!(error, FetchError::UnsafeArchiveEntry { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("escaped.txt"), "{error}");
    assert!(!temp.path().join("escaped.txt").exists());
    assert!(
        entries_in(&cache).is_empty(),
        "left behind: {:?}",
        entries_in(&cache)
    );
}

#[test]
fn an_archive_entry_with_an_absolute_path_is_refused() {
    let temp = tempfile::tempdir().unwrap();
    let cache = temp.path().join("cache");
    let target = temp.path().join("absolute.txt");
    let entries = vec![(target.display().to_string(), b"gotcha".to_vec())];
    let (_server, opts) = serve(tarball(&entries), &cache);

    let error = fetch_cifar10(&opts).unwrap_err();

    assert!(
        matches!(error, FetchError::UnsafeArchiveEntry { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("absolute path"), "{error}");
    assert!(!target.exists());
    assert!(entries_in(&cache).is_empty());
}

#[test]
fn an_incomplete_folder_is_replaced_by_a_complete_one() {
    let cache = tempfile::tempdir().unwrap();
    let dir = cache.path().join(CIFAR10_DIR);
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("data_batch_1.bin"), b"stale").unwrap();
    let (_server, opts) = serve(cifar_tarball(), cache.path());

    let outcome = fetch_cifar10(&opts).unwrap();

    assert!(matches!(outcome.source, FetchSource::Downloaded { .. }));
    assert_dataset_installed(&outcome, cache.path());
}

#[test]
fn data_dir_prefers_kindling_data() {
    let dir = data_dir_from(
        Some(OsString::from("/data/kindling")),
        Some(PathBuf::from("/home/me/.cache")),
    )
    .unwrap();
    assert_eq!(dir, PathBuf::from("/data/kindling"));
}

#[test]
fn data_dir_falls_back_to_the_platform_cache() {
    let cache = Some(PathBuf::from("/home/me/.cache"));
    let expected = PathBuf::from("/home/me/.cache/kindling");
    assert_eq!(data_dir_from(None, cache.clone()).unwrap(), expected);
    // `KINDLING_DATA=` (empty) counts as unset.
    assert_eq!(
        data_dir_from(Some(OsString::new()), cache).unwrap(),
        expected
    );
}

#[test]
fn data_dir_without_any_folder_says_how_to_set_one() {
    let error = data_dir_from(None, None).unwrap_err();
    assert!(matches!(error, FetchError::NoDataDir));
    assert!(error.to_string().contains("KINDLING_DATA"));
}
