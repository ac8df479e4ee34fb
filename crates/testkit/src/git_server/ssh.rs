//! A loopback `sshd` serving the bare repositories of a [`super::GitServer`]
//! (or any directory) to one generated client key.
//!
//! OpenSSH's sshd runs unprivileged for the current user. As root it also
//! needs its privilege-separation directory, `/run/sshd`, which we create.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::{free_port, run, wait_for_port};

/// Where Debian's `openssh-server` puts the daemon.
const SSHD: &str = "/usr/sbin/sshd";

/// A running sshd on 127.0.0.1; stopped on drop.
pub struct SshServer {
    child: Child,
    port: u16,
    user: String,
    dir: tempfile::TempDir,
    host_key_line: String,
}

impl SshServer {
    /// Start sshd for the current user; `Ok(None)` when sshd is not installed.
    pub fn start() -> io::Result<Option<SshServer>> {
        if !Path::new(SSHD).is_file() {
            return Ok(None);
        }
        let dir = tempfile::tempdir()?;
        for key in ["host_key", "client_key"] {
            let mut keygen = Command::new("ssh-keygen");
            keygen
                .args(["-q", "-t", "ed25519", "-N", "", "-C", "driftless-test", "-f"])
                .arg(dir.path().join(key));
            run(keygen)?;
        }
        std::fs::copy(
            dir.path().join("client_key.pub"),
            dir.path().join("authorized_keys"),
        )?;
        let id = |flag: &str| {
            let mut id = Command::new("id");
            id.arg(flag);
            run(id)
        };
        let user = id("-un")?;
        let root = id("-u")? == "0";
        if root {
            std::fs::create_dir_all("/run/sshd")?;
        }
        let port = free_port()?;
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {dir}/host_key\nPidFile {dir}/sshd.pid\n\
             AuthorizedKeysFile {dir}/authorized_keys\nStrictModes no\nUsePAM no\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n\
             PermitRootLogin prohibit-password\nMaxAuthTries 3\nLogLevel VERBOSE\n",
            dir = dir.path().display()
        );
        let config_path = dir.path().join("sshd_config");
        std::fs::write(&config_path, config)?;
        let mut child = Command::new(SSHD)
            .arg("-D")
            .arg("-f")
            .arg(&config_path)
            .arg("-E")
            .arg(dir.path().join("sshd.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        if let Err(err) = wait_for_port(port, &mut child) {
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(dir.path().join("sshd.log")).unwrap_or_default();
            return Err(io::Error::other(format!("{err}; sshd log: {log}")));
        }
        let public = std::fs::read_to_string(dir.path().join("host_key.pub"))?;
        let host_key_line = public.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
        Ok(Some(SshServer {
            child,
            port,
            user,
            dir,
            host_key_line,
        }))
    }

    /// `ssh://<user>@127.0.0.1:<port>/<absolute path>`.
    pub fn url(&self, repo: &Path) -> String {
        format!("ssh://{}@127.0.0.1:{}{}", self.user, self.port, repo.display())
    }

    /// The client's private key (OpenSSH format), authorized for the user.
    pub fn client_key(&self) -> io::Result<String> {
        std::fs::read_to_string(self.dir.path().join("client_key"))
    }

    /// A `known_hosts` line trusting this server's host key.
    pub fn known_hosts(&self) -> String {
        format!("[127.0.0.1]:{} {}\n", self.port, self.host_key_line)
    }

    /// sshd's log, e.g. to count authentication attempts.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("sshd.log")
    }
}

impl Drop for SshServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
