//! Basic auth over smart HTTP: the right password works, a wrong or missing
//! one is `GitAuthFailed` after one rejected attempt (no retry storm), a redirect to
//! another host gets no credentials, and no secret reaches an error message or a log line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex, OnceLock};

use driftless_git::{Credentials, FetchOptions};
use driftless_testkit::git_server::{Change, GitServer};

const PASSWORD: &str = "correct-horse-battery";
const WRONG: &str = "wrong-horse-battery";

/// Everything logged by this test binary.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        logs
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn server() -> GitServer {
    let server = GitServer::start_with_basic_auth("alice", PASSWORD).unwrap();
    server.create_repo("private").unwrap();
    server
        .commit("private", "main", "first", &[Change::file("a.yaml", "a: 1\n")])
        .unwrap();
    server
}

fn with_credentials(username: &str, password: &str) -> FetchOptions {
    FetchOptions {
        credentials: Some(Credentials::Https {
            username: username.into(),
            password: password.into(),
        }),
        ..FetchOptions::default()
    }
}

#[tokio::test]
async fn right_password_fetches() {
    let server = server();
    let (_dir, cache) = common::cache();
    let url = server.http_url("private");
    cache
        .fetch(&url, &with_credentials("alice", PASSWORD))
        .await
        .unwrap();
    cache.resolve(&url, "main").await.unwrap();
}

#[tokio::test]
async fn wrong_password_fails_once_without_retry_storm() {
    let logs = captured_logs();
    let server = server();
    let (_dir, cache) = common::cache();
    let url = server.http_url("private");
    let err = cache
        .fetch(&url, &with_credentials("alice", WRONG))
        .await
        .unwrap_err();
    assert_eq!(err.reason(), "GitAuthFailed", "{err}");
    let requests = server.http_requests();
    // One anonymous probe answered 401, one authenticated try answered 401, then stop.
    assert!(requests.iter().all(|r| r.status == 401), "{requests:?}");
    assert_eq!(requests.len(), 2, "retry storm: {requests:?}");
    assert!(!err.to_string().contains(WRONG), "{err}");
    let logged = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(logged.contains("GitAuthFailed"), "log capture works: {logged}");
    assert!(!logged.contains(WRONG), "{logged}");
}

#[tokio::test]
async fn missing_credentials_is_an_auth_error() {
    let server = server();
    let (_dir, cache) = common::cache();
    let err = cache
        .fetch(&server.http_url("private"), &FetchOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.reason(), "GitAuthFailed", "{err}");
    assert!(server.http_requests().len() <= 1, "{:?}", server.http_requests());
}

#[tokio::test]
async fn credentials_in_the_url_are_used_and_never_shown() {
    let logs = captured_logs();
    let server = server();
    let (_dir, cache) = common::cache();
    let plain = server.http_url("private");
    let good = plain.replace("http://", &format!("http://alice:{PASSWORD}@"));
    let bad = plain.replace("http://", &format!("http://alice:{WRONG}@"));
    cache.fetch(&good, &FetchOptions::default()).await.unwrap();
    // Same repository, so the same mirror.
    cache.resolve(&plain, "main").await.unwrap();
    let err = cache.fetch(&bad, &FetchOptions::default()).await.unwrap_err();
    assert_eq!(err.reason(), "GitAuthFailed", "{err}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(WRONG) && !shown.contains(PASSWORD), "{shown}");
    let logged = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(!logged.contains(WRONG) && !logged.contains(PASSWORD), "{logged}");
}

/// An HTTP server on another loopback address that redirects every request to `origin`
/// (`http://host:port`), keeping the path; returns its own origin.
fn redirector(origin: &str) -> String {
    let listener = TcpListener::bind("127.0.0.2:0").unwrap();
    let front = format!("http://{}", listener.local_addr().unwrap());
    let origin = origin.to_owned();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let _ = write!(
                stream,
                "HTTP/1.1 302 Found\r\nLocation: {origin}{path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    front
}

#[tokio::test]
async fn credentials_are_not_sent_to_another_host_after_a_redirect() {
    let server = server();
    let real = server.http_url("private");
    let path_start = real.find("/private.git").unwrap();
    let front = redirector(&real[..path_start]);
    let url = format!("{front}{}", &real[path_start..]);
    let (_dir, cache) = common::cache();
    let error = cache
        .fetch(&url, &with_credentials("alice", PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(error.reason(), "GitAuthFailed", "{error}");
    assert!(error.to_string().contains("redirected"), "{error}");
    let requests = server.http_requests();
    assert!(!requests.is_empty(), "the redirect was followed");
    assert!(
        requests.iter().all(|r| r.status == 401),
        "the other host never got the password: {requests:?}"
    );
}
