//! A private RabbitMQ node for fault tests (restarts, a broker stopped
//! under a server, TLS listeners), so they never disturb the shared broker
//! other tests use. Its files live in a temporary directory the `rabbitmq`
//! user owns (the server script switches to that user); it is stopped and
//! removed on drop. Needs `rabbitmq-server` installed and root (to give
//! the directory to `rabbitmq`), as on the project's machines.
//!
//! ```no_run
//! use switchboard_testing::rabbitmq::PrivateNode;
//!
//! let node = PrivateNode::start("doc", "", true)?;
//! let url = node.url(); // amqp://guest:guest@127.0.0.1:PORT/%2f
//! node.stop_app()?; // the broker is down: connections drop, the port refuses
//! node.start_app()?; // and up again
//! # Ok::<(), String>(())
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long a node may take to start.
const STARTUP: Duration = Duration::from_secs(60);

/// A running private node.
#[derive(Debug)]
pub struct PrivateNode {
    /// `name@localhost`.
    pub name: String,
    /// Its AMQP port.
    pub port: u16,
    /// Its directory (config, data, logs).
    pub dir: PathBuf,
}

/// The directory of the node tagged `tag` (created).
pub fn dir_for(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sbnode-{tag}-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// A port free right now.
///
/// # Errors
/// If no listener can be bound on 127.0.0.1.
pub fn free_port() -> Result<u16, std::io::Error> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn run(program: &str, args: &[&str], env: &[(&str, String)]) -> Result<Output, String> {
    Command::new(program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .map_err(|e| format!("cannot run {program} (apt-get install rabbitmq-server): {e}"))
}

impl PrivateNode {
    /// Starts a node whose `rabbitmq.conf` is `config` plus its listener on
    /// [`port`](Self::port): plain TCP, or (`tcp` false) TLS only; waits
    /// (bounded) until it is up. Files `config` names (certificates) go in
    /// [`dir_for`] before the call, so the `rabbitmq` user owns them too.
    ///
    /// # Errors
    /// Why the node could not be set up or did not start (no
    /// `rabbitmq-server`, no permission to give its directory away).
    pub fn start(tag: &str, config: &str, tcp: bool) -> Result<Self, String> {
        let port = free_port().map_err(|e| e.to_string())?;
        let dist = free_port().map_err(|e| e.to_string())?;
        let name = format!("sb{tag}{}@localhost", std::process::id());
        let dir = dir_for(tag);
        for sub in ["mnesia", "log"] {
            std::fs::create_dir_all(dir.join(sub)).map_err(|e| e.to_string())?;
        }
        let listener = if tcp {
            format!("listeners.tcp.default = {port}\n")
        } else {
            format!("listeners.tcp = none\nlisteners.ssl.default = {port}\n")
        };
        std::fs::write(dir.join("rabbitmq.conf"), format!("{listener}{config}"))
            .map_err(|e| e.to_string())?;
        std::fs::write(dir.join("enabled_plugins"), "[].").map_err(|e| e.to_string())?;
        let owned = run(
            "chown",
            &["-R", "rabbitmq:rabbitmq", &dir.display().to_string()],
            &[],
        )?;
        if !owned.status.success() {
            return Err(format!(
                "chown failed: {}",
                String::from_utf8_lossy(&owned.stderr)
            ));
        }
        let path = |p: &Path| p.display().to_string();
        let env = [
            ("RABBITMQ_NODENAME", name.clone()),
            ("RABBITMQ_NODE_PORT", port.to_string()),
            ("RABBITMQ_DIST_PORT", dist.to_string()),
            ("RABBITMQ_MNESIA_BASE", path(&dir.join("mnesia"))),
            ("RABBITMQ_LOG_BASE", path(&dir.join("log"))),
            ("RABBITMQ_CONFIG_FILE", path(&dir.join("rabbitmq"))),
            (
                "RABBITMQ_ENABLED_PLUGINS_FILE",
                path(&dir.join("enabled_plugins")),
            ),
        ];
        let started = run("rabbitmq-server", &["-detached"], &env)?;
        if !started.status.success() {
            return Err(format!(
                "rabbitmq-server failed: {}",
                String::from_utf8_lossy(&started.stderr)
            ));
        }
        let node = Self { name, port, dir };
        node.await_startup()?;
        Ok(node)
    }

    /// `rabbitmqctl -n NODE args...`.
    ///
    /// # Errors
    /// What `rabbitmqctl` said when it failed.
    pub fn ctl(&self, args: &[&str]) -> Result<(), String> {
        let mut all = vec!["-n", &self.name];
        all.extend_from_slice(args);
        let out = run("rabbitmqctl", &all, &[])?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "rabbitmqctl {args:?}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    /// Waits (bounded) until the node runs: `await_startup` fails until the
    /// node has registered, so it is asked again.
    ///
    /// # Errors
    /// The last answer, if the node did not start within a minute.
    pub fn await_startup(&self) -> Result<(), String> {
        let start = Instant::now();
        loop {
            match self.ctl(&["await_startup", "--timeout", "30"]) {
                Ok(()) => return Ok(()),
                Err(why) if start.elapsed() > STARTUP => {
                    return Err(format!("node {} did not start: {why}", self.name));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }

    /// Stops the RabbitMQ application (the Erlang node stays): every
    /// connection drops and the AMQP port refuses new ones, as when the
    /// broker is down.
    ///
    /// # Errors
    /// What `rabbitmqctl` said when it failed.
    pub fn stop_app(&self) -> Result<(), String> {
        self.ctl(&["stop_app"])
    }

    /// Starts the application again after [`stop_app`](Self::stop_app);
    /// returns once it runs.
    ///
    /// # Errors
    /// What `rabbitmqctl` said when it failed.
    pub fn start_app(&self) -> Result<(), String> {
        self.ctl(&["start_app"])?;
        self.await_startup()
    }

    /// `amqp://` URL of the node, vhost `/`.
    pub fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.port)
    }
}

impl Drop for PrivateNode {
    fn drop(&mut self) {
        let _ = self.ctl(&["stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
