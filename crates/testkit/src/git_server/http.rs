//! The smart-HTTP side: each request runs `git http-backend` as a CGI.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};

use super::HttpRequest;

/// A CGI response: status, headers, body.
type CgiResponse = (u16, Vec<(String, String)>, Vec<u8>);

/// Serves one smart-HTTP request through `git http-backend` (CGI).
pub(super) struct Backend {
    pub(super) program: PathBuf,
    pub(super) root: PathBuf,
    pub(super) expected_auth: Option<String>,
    pub(super) requests: Arc<Mutex<Vec<HttpRequest>>>,
    pub(super) pack_gate: Arc<Gate>,
}

/// Holds pack requests (`POST …/git-upload-pack`) while closed.
#[derive(Default)]
pub(super) struct Gate {
    closed: Mutex<bool>,
    changed: Condvar,
}

impl Gate {
    pub(super) fn set_closed(&self, closed: bool) {
        if let Ok(mut state) = self.closed.lock() {
            *state = closed;
        }
        self.changed.notify_all();
    }

    fn pass(&self) {
        let Ok(mut closed) = self.closed.lock() else {
            return;
        };
        while *closed {
            match self.changed.wait(closed) {
                Ok(state) => closed = state,
                Err(_) => return,
            }
        }
    }
}

impl Backend {
    pub(super) fn serve(&self, mut request: tiny_http::Request) {
        let url = request.url().to_string();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let (path, query) = (path.to_string(), query.to_string());
        if path.ends_with("/git-upload-pack") {
            self.pack_gate.pass();
        }
        let header = |name: &'static str| header_value(&request, name);
        let authorized = self
            .expected_auth
            .as_ref()
            .is_none_or(|want| header("Authorization").as_ref() == Some(want));
        let (status, response) = if authorized {
            let mut body = Vec::new();
            let cgi = match request.as_reader().read_to_end(&mut body) {
                Ok(_) => self.run_cgi(&request, &path, &query, &body),
                Err(err) => Err(err),
            };
            match cgi {
                Ok((status, headers, body)) => {
                    let mut response = tiny_http::Response::from_data(body).with_status_code(status);
                    for (name, value) in headers {
                        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                            response.add_header(h);
                        }
                    }
                    (status, response)
                }
                Err(err) => (
                    500,
                    tiny_http::Response::from_data(err.to_string().into_bytes()).with_status_code(500),
                ),
            }
        } else {
            let mut response =
                tiny_http::Response::from_data(b"auth required".to_vec()).with_status_code(401);
            if let Ok(h) =
                tiny_http::Header::from_bytes(&b"WWW-Authenticate"[..], &b"Basic realm=\"git\""[..])
            {
                response.add_header(h);
            }
            (401, response)
        };
        let method = request.method().to_string();
        if let Ok(mut log) = self.requests.lock() {
            log.push(HttpRequest {
                method,
                path,
                query,
                status,
            });
        }
        let _ = request.respond(response);
    }

    fn run_cgi(
        &self,
        request: &tiny_http::Request,
        path: &str,
        query: &str,
        body: &[u8],
    ) -> io::Result<CgiResponse> {
        let header = |name: &'static str| header_value(request, name);
        let mut cgi = Command::new(&self.program);
        cgi.env("GIT_PROJECT_ROOT", &self.root)
            .env("GIT_HTTP_EXPORT_ALL", "1")
            .env("REQUEST_METHOD", request.method().as_str())
            .env("PATH_INFO", path)
            .env("QUERY_STRING", query)
            .env("CONTENT_LENGTH", body.len().to_string())
            .env("REMOTE_ADDR", "127.0.0.1")
            .env(
                "REMOTE_USER",
                if self.expected_auth.is_some() { "git" } else { "" },
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (name, var) in [
            ("Content-Type", "CONTENT_TYPE"),
            ("Git-Protocol", "HTTP_GIT_PROTOCOL"),
        ] {
            if let Some(value) = header(name) {
                cgi.env(var, value);
            }
        }
        if let Some(encoding) = header("Content-Encoding") {
            cgi.env("HTTP_CONTENT_ENCODING", encoding);
        }
        let mut child = cgi.spawn()?;
        let mut stdin = child.stdin.take().ok_or_else(|| io::Error::other("no stdin"))?;
        let input = body.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let output = child.wait_with_output()?;
        let _ = writer.join();
        Ok(parse_cgi(&output.stdout))
    }
}

fn header_value(request: &tiny_http::Request, name: &'static str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str().to_string())
}

/// Split CGI output into status, headers and body.
pub(super) fn parse_cgi(raw: &[u8]) -> CgiResponse {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").map(|i| (i, 4));
    let split = split.or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
    let Some((end, sep)) = split else {
        return (502, Vec::new(), raw.to_vec());
    };
    let mut status = 200;
    let mut headers = Vec::new();
    for line in String::from_utf8_lossy(&raw[..end]).lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_string();
        if name.eq_ignore_ascii_case("Status") {
            status = value
                .split_whitespace()
                .next()
                .and_then(|c| c.parse().ok())
                .unwrap_or(500);
        } else {
            headers.push((name.to_string(), value));
        }
    }
    (status, headers, raw[end + sep..].to_vec())
}
