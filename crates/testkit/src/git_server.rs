//! Loopback git servers for tests: `git daemon` (git://) and smart HTTP
//! (`git http-backend` behind a small HTTP server with optional basic auth
//! and a log of requests), both serving the bare repositories of one
//! temporary directory, which `file://` URLs can reach too. Helpers commit
//! trees and move refs with the `git` CLI, straight into the bare repos.
//! Everything listens on 127.0.0.1 and stops on drop.

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

mod http;
mod ssh;

pub use ssh::SshServer;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// How long a server may take to start listening.
const START_DEADLINE: Duration = Duration::from_secs(15);

/// One HTTP request the smart-HTTP server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// Path, e.g. `/repo.git/info/refs`.
    pub path: String,
    /// Query string without `?`.
    pub query: String,
    /// HTTP status returned.
    pub status: u16,
}

/// One change in a commit made by [`GitServer::commit`].
#[derive(Debug, Clone)]
pub enum Change {
    /// Write a regular file.
    Write(String, Vec<u8>),
    /// Create a symlink pointing at the target.
    Symlink(String, String),
    /// Add a submodule entry (gitlink) at the path pointing at a commit SHA.
    Submodule(String, String),
    /// Remove a path.
    Delete(String),
}

impl Change {
    /// Write a text file.
    pub fn file(path: &str, text: &str) -> Change {
        Change::Write(path.to_string(), text.as_bytes().to_vec())
    }
}

/// `git daemon` + smart HTTP over one directory of bare repositories.
pub struct GitServer {
    base: tempfile::TempDir,
    daemon: Child,
    daemon_port: u16,
    http: Arc<tiny_http::Server>,
    http_port: u16,
    http_thread: Option<JoinHandle<()>>,
    requests: Arc<Mutex<Vec<HttpRequest>>>,
    pack_gate: Arc<http::Gate>,
}

impl GitServer {
    /// Start both servers, anonymous access.
    pub fn start() -> io::Result<GitServer> {
        GitServer::start_inner(None)
    }

    /// Start both servers; HTTP requires this user and password (git:// stays open).
    pub fn start_with_basic_auth(user: &str, password: &str) -> io::Result<GitServer> {
        GitServer::start_inner(Some(format!(
            "Basic {}",
            STANDARD.encode(format!("{user}:{password}"))
        )))
    }

    fn start_inner(expected_auth: Option<String>) -> io::Result<GitServer> {
        let base = tempfile::tempdir()?;
        let daemon_port = free_port()?;
        // The dashed binary itself: `git daemon` would fork it and leave it running after a kill.
        let mut daemon = Command::new(git_exec_path()?.join("git-daemon"))
            .arg("--reuseaddr")
            .arg("--export-all")
            .arg("--informative-errors")
            .arg("--listen=127.0.0.1")
            .arg(format!("--port={daemon_port}"))
            .arg(format!("--base-path={}", base.path().display()))
            .arg(base.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        if let Err(err) = wait_for_port(daemon_port, &mut daemon) {
            let _ = daemon.kill();
            let _ = daemon.wait();
            return Err(err);
        }
        let http = tiny_http::Server::http("127.0.0.1:0").map_err(io::Error::other)?;
        let http_port = http
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or_else(|| io::Error::other("no port"))?;
        let http = Arc::new(http);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let pack_gate = Arc::new(http::Gate::default());
        let backend = http::Backend {
            program: git_exec_path()?.join("git-http-backend"),
            root: base.path().to_path_buf(),
            expected_auth,
            requests: requests.clone(),
            pack_gate: pack_gate.clone(),
        };
        let server = http.clone();
        let http_thread = std::thread::spawn(move || {
            let backend = Arc::new(backend);
            let mut workers = Vec::new();
            for request in server.incoming_requests() {
                let backend = backend.clone();
                workers.push(std::thread::spawn(move || backend.serve(request)));
            }
            for worker in workers {
                let _ = worker.join();
            }
        });
        Ok(GitServer {
            base,
            daemon,
            daemon_port,
            http,
            http_port,
            http_thread: Some(http_thread),
            requests,
            pack_gate,
        })
    }

    /// While `held`, smart-HTTP pack downloads wait: a fetch that has read the refs stays in
    /// flight, so a test can push meanwhile.
    pub fn hold_packs(&self, held: bool) {
        self.pack_gate.set_closed(held);
    }

    /// The directory holding the bare repositories (`<name>.git`).
    pub fn base_dir(&self) -> &Path {
        self.base.path()
    }

    /// The bare repository's directory.
    pub fn repo_path(&self, name: &str) -> PathBuf {
        self.base.path().join(format!("{name}.git"))
    }

    /// `git://127.0.0.1:<port>/<name>.git`
    pub fn git_url(&self, name: &str) -> String {
        format!("git://127.0.0.1:{}/{name}.git", self.daemon_port)
    }

    /// `http://127.0.0.1:<port>/<name>.git`
    pub fn http_url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/{name}.git", self.http_port)
    }

    /// `file:///…/<name>.git`
    pub fn file_url(&self, name: &str) -> String {
        format!("file://{}", self.repo_path(name).display())
    }

    /// Requests answered by the HTTP server so far.
    pub fn http_requests(&self) -> Vec<HttpRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Forget the logged requests.
    pub fn clear_http_requests(&self) {
        if let Ok(mut requests) = self.requests.lock() {
            requests.clear();
        }
    }

    /// Create an empty bare repository whose HEAD names `main`.
    pub fn create_repo(&self, name: &str) -> io::Result<PathBuf> {
        let path = self.repo_path(name);
        let mut init = Command::new("git");
        init.args(["init", "--quiet", "--bare", "--initial-branch=main"])
            .arg(&path);
        run(init)?;
        Ok(path)
    }

    /// Delete the repository on the server.
    pub fn delete_repo(&self, name: &str) -> io::Result<()> {
        std::fs::remove_dir_all(self.repo_path(name))
    }

    /// Commit `changes` on top of `branch` (created if missing); returns the SHA.
    pub fn commit(&self, name: &str, branch: &str, message: &str, changes: &[Change]) -> io::Result<String> {
        let parent = self
            .rev_parse(name, &format!("refs/heads/{branch}^{{commit}}"))
            .ok();
        self.commit_with_parent(name, branch, message, parent.as_deref(), changes)
    }

    /// Replace `branch` with a new root commit holding only `changes`: a force push.
    pub fn force_push(
        &self,
        name: &str,
        branch: &str,
        message: &str,
        changes: &[Change],
    ) -> io::Result<String> {
        self.commit_with_parent(name, branch, message, None, changes)
    }

    /// Commit the whole directory `tree` on top of `branch`, replacing its content.
    pub fn commit_dir(&self, name: &str, branch: &str, message: &str, tree: &Path) -> io::Result<String> {
        let repo = self.repo_path(name);
        let index = tempfile::NamedTempFile::new()?;
        let index_path = index.path().to_path_buf();
        drop(index);
        let env = [("GIT_INDEX_FILE", index_path.as_os_str())];
        let mut add = command(&repo, &env);
        add.arg("--work-tree")
            .arg(tree)
            .args(["add", "--all", "--force", "."]);
        run(add)?;
        let tree_sha = run(with_args(command(&repo, &env), &["write-tree"]))?;
        let _ = std::fs::remove_file(&index_path);
        let parent = self
            .rev_parse(name, &format!("refs/heads/{branch}^{{commit}}"))
            .ok();
        self.finish_commit(name, branch, message, parent.as_deref(), &tree_sha)
    }

    /// Point `branch` at `sha` (any commit, forced).
    pub fn set_branch(&self, name: &str, branch: &str, sha: &str) -> io::Result<()> {
        run(with_args(
            command(&self.repo_path(name), &[]),
            &["update-ref", &format!("refs/heads/{branch}"), sha],
        ))
        .map(drop)
    }

    /// Delete `branch` on the server.
    pub fn delete_branch(&self, name: &str, branch: &str) -> io::Result<()> {
        run(with_args(
            command(&self.repo_path(name), &[]),
            &["update-ref", "-d", &format!("refs/heads/{branch}")],
        ))
        .map(drop)
    }

    /// Create or move `tag` to `sha`; annotated tags get a tag object.
    pub fn tag(&self, name: &str, tag: &str, sha: &str, annotated: bool) -> io::Result<()> {
        let mut args = vec!["tag", "--force"];
        if annotated {
            args.extend(["--annotate", "--message", "release"]);
        }
        args.extend([tag, sha]);
        run(with_args(command(&self.repo_path(name), &[]), &args)).map(drop)
    }

    /// Point the repository's HEAD at `branch`.
    pub fn set_head(&self, name: &str, branch: &str) -> io::Result<()> {
        let target = format!("refs/heads/{branch}");
        run(with_args(
            command(&self.repo_path(name), &[]),
            &["symbolic-ref", "HEAD", &target],
        ))
        .map(drop)
    }

    /// `git rev-parse --verify` in the bare repository.
    pub fn rev_parse(&self, name: &str, rev: &str) -> io::Result<String> {
        run(with_args(
            command(&self.repo_path(name), &[]),
            &["rev-parse", "--verify", "--quiet", rev],
        ))
    }

    fn commit_with_parent(
        &self,
        name: &str,
        branch: &str,
        message: &str,
        parent: Option<&str>,
        changes: &[Change],
    ) -> io::Result<String> {
        let repo = self.repo_path(name);
        let index = tempfile::NamedTempFile::new()?;
        let index_path = index.path().to_path_buf();
        drop(index);
        let env = [("GIT_INDEX_FILE", index_path.as_os_str())];
        match parent {
            Some(parent) => run(with_args(command(&repo, &env), &["read-tree", parent]))?,
            None => run(with_args(command(&repo, &env), &["read-tree", "--empty"]))?,
        };
        for change in changes {
            let (mode, path, object) = match change {
                Change::Write(path, bytes) => ("100644", path, self.hash_object(&repo, bytes)?),
                Change::Symlink(path, target) => {
                    ("120000", path, self.hash_object(&repo, target.as_bytes())?)
                }
                Change::Submodule(path, sha) => ("160000", path, sha.clone()),
                Change::Delete(path) => {
                    // update-index insists on a work tree; an empty one will do.
                    let empty = tempfile::tempdir()?;
                    let mut remove = command(&repo, &env);
                    remove.arg("--work-tree").arg(empty.path()).args([
                        "update-index",
                        "--force-remove",
                        "--",
                        path,
                    ]);
                    run(remove)?;
                    continue;
                }
            };
            let info = format!("{mode},{object},{path}");
            run(with_args(
                command(&repo, &env),
                &["update-index", "--add", "--cacheinfo", &info],
            ))?;
        }
        let tree_sha = run(with_args(command(&repo, &env), &["write-tree"]))?;
        let _ = std::fs::remove_file(&index_path);
        self.finish_commit(name, branch, message, parent, &tree_sha)
    }

    fn hash_object(&self, repo: &Path, bytes: &[u8]) -> io::Result<String> {
        let mut child = command(repo, &[])
            .args(["hash-object", "-w", "--stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("no stdin"))?
            .write_all(bytes)?;
        let output = child.wait_with_output()?;
        check(&output).map(|out| out.trim().to_string())
    }

    fn finish_commit(
        &self,
        name: &str,
        branch: &str,
        message: &str,
        parent: Option<&str>,
        tree: &str,
    ) -> io::Result<String> {
        let repo = self.repo_path(name);
        let mut args = vec!["commit-tree", tree, "-m", message];
        if let Some(parent) = parent {
            args.extend(["-p", parent]);
        }
        let sha = run(with_args(command(&repo, &[]), &args))?;
        self.set_branch(name, branch, &sha)?;
        Ok(sha)
    }
}

impl Drop for GitServer {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        self.http.unblock();
        if let Some(thread) = self.http_thread.take() {
            let _ = thread.join();
        }
    }
}

/// Where git keeps its dashed helper binaries (`git --exec-path`).
fn git_exec_path() -> io::Result<PathBuf> {
    let mut exec_path = Command::new("git");
    exec_path.arg("--exec-path");
    run(exec_path).map(PathBuf::from)
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Wait until something accepts on the port, or the child exits, or the deadline passes.
fn wait_for_port(port: u16, child: &mut Child) -> io::Result<()> {
    let deadline = Instant::now() + START_DEADLINE;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if let Some(status) = child.try_wait()? {
            return Err(io::Error::other(format!(
                "server exited before listening: {status}"
            )));
        }
        if Instant::now() > deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("nothing listening on port {port}"),
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `git --git-dir=<repo>` with a fixed identity and no user config.
fn command(repo: &Path, env: &[(&str, &std::ffi::OsStr)]) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("--git-dir").arg(repo);
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Driftless Test")
        .env("GIT_AUTHOR_EMAIL", "test@driftless.invalid")
        .env("GIT_COMMITTER_NAME", "Driftless Test")
        .env("GIT_COMMITTER_EMAIL", "test@driftless.invalid");
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd
}

fn with_args(mut cmd: Command, args: &[&str]) -> Command {
    cmd.args(args);
    cmd
}

fn run(mut cmd: Command) -> io::Result<String> {
    let output = cmd.stdin(Stdio::null()).output()?;
    check(&output).map(|out| out.trim().to_string())
}

fn check(output: &std::process::Output) -> io::Result<String> {
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(io::Error::other(format!(
            "git failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn port_of(url: &str) -> u16 {
        url.rsplit(':')
            .next()
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    #[test]
    fn drop_stops_both_servers() {
        let server = GitServer::start().unwrap();
        let ports = [port_of(&server.git_url("r")), port_of(&server.http_url("r"))];
        for port in ports {
            assert!(
                TcpStream::connect(("127.0.0.1", port)).is_ok(),
                "{port} listening"
            );
        }
        drop(server);
        // tiny_http closes its listener from its own accept thread, just after drop.
        let deadline = Instant::now() + Duration::from_secs(5);
        for port in ports {
            while TcpStream::connect(("127.0.0.1", port)).is_ok() {
                assert!(Instant::now() < deadline, "{port} still listening, of {ports:?}");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }

    #[test]
    fn cgi_output_is_split_into_status_headers_and_body() {
        let cases: [(&[u8], u16, usize, &[u8]); 3] = [
            (
                b"Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nmissing",
                404,
                1,
                b"missing",
            ),
            (b"Content-Type: x\n\nbody", 200, 1, b"body"),
            (b"no header end", 502, 0, b"no header end"),
        ];
        for (raw, status, headers, body) in cases {
            let (got_status, got_headers, got_body) = http::parse_cgi(raw);
            assert_eq!(
                (got_status, got_headers.len(), got_body.as_slice()),
                (status, headers, body)
            );
        }
    }
}
