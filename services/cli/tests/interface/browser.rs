//! The docs page in a real browser: headless Chromium, driven over
//! WebDriver by chromedriver (Debian's `chromium` and `chromium-driver`;
//! `.ci/run` installs them). The test finds `echo`, fills in and submits
//! its try-it form and reads the reply on the page; then submits a
//! `create_map` whose width breaks its constraint and sees the fault.
//! Screenshots are saved under `target/` and their paths printed.
//!
//! WebDriver's JSON protocol is a handful of HTTP calls, made here with
//! reqwest (already a dependency) rather than a WebDriver client crate.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// What the browser steps give: errors that can cross to the test's task.
type Outcome<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;
use crate::served::start;

/// The WebDriver key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long the driver, the page and a reply may take.
const PATIENCE: Duration = Duration::from_secs(20);

/// chromedriver on a free port of 127.0.0.1, killed on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first of `names` found on `PATH`.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn missing(what: &str) -> String {
    format!(
        "{what} is not installed: the docs page test needs Debian's chromium and \
         chromium-driver (`apt-get install -y chromium chromium-driver`, as .ci/run does)"
    )
}

/// Starts chromedriver and waits until it says it is ready.
async fn driver(http: &reqwest::Client) -> Outcome<Driver> {
    let binary = on_path(&["chromedriver"]).ok_or_else(|| missing("chromedriver"))?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new(binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + PATIENCE;
    loop {
        let status = http.get(format!("{}/status", driver.url)).send().await;
        if let Ok(response) = status
            && let Ok(body) = response.json::<Value>().await
            && body["value"]["ready"] == true
        {
            return Ok(driver);
        }
        if Instant::now() > deadline {
            return Err("chromedriver did not become ready".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One WebDriver session.
#[derive(Clone)]
struct Session {
    http: reqwest::Client,
    url: String,
}

impl Session {
    async fn open(http: &reqwest::Client, driver: &Driver) -> Outcome<Self> {
        let browser =
            on_path(&["chromium", "chromium-browser"]).ok_or_else(|| missing("chromium"))?;
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": browser,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1200,1600"],
            },
        }}});
        let reply = call(
            http,
            "POST",
            &format!("{}/session", driver.url),
            Some(capabilities),
        )
        .await?;
        let id = reply["sessionId"].as_str().ok_or("no session id")?;
        Ok(Self {
            http: http.clone(),
            url: format!("{}/session/{id}", driver.url),
        })
    }

    async fn command(&self, verb: &str, path: &str, body: Option<Value>) -> Outcome<Value> {
        call(&self.http, verb, &format!("{}{path}", self.url), body).await
    }

    async fn find(&self, css: &str) -> Outcome<String> {
        let found = self
            .command(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await?;
        Ok(found[ELEMENT]
            .as_str()
            .ok_or_else(|| format!("no element {css}"))?
            .to_owned())
    }

    async fn type_into(&self, css: &str, text: &str) -> Outcome {
        let element = self.find(css).await?;
        self.command(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({"text": text})),
        )
        .await?;
        Ok(())
    }

    async fn click(&self, css: &str) -> Outcome {
        let element = self.find(css).await?;
        self.command(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await?;
        Ok(())
    }

    /// The text of `css` once it contains `until`, or what it last was.
    async fn text_when(&self, css: &str, until: &str) -> Outcome<String> {
        let element = self.find(css).await?;
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self
                .command("GET", &format!("/element/{element}/text"), None)
                .await?;
            let text = text.as_str().unwrap_or_default().to_owned();
            if text.contains(until) || Instant::now() > deadline {
                return Ok(text);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn attribute(&self, css: &str, name: &str) -> Outcome<String> {
        let element = self.find(css).await?;
        let value = self
            .command("GET", &format!("/element/{element}/attribute/{name}"), None)
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Saves a screenshot of the page to `path` and prints where.
    async fn screenshot(&self, path: &Path) -> Outcome {
        let png = self.command("GET", "/screenshot", None).await?;
        let png =
            base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap_or_default())?;
        std::fs::write(path, png)?;
        println!("screenshot of the docs page: {}", path.display());
        Ok(())
    }

    async fn close(&self) -> Outcome {
        self.command("DELETE", "", None).await?;
        Ok(())
    }
}

/// One WebDriver command; its `value`, or the driver's error as `Err`.
async fn call(
    http: &reqwest::Client,
    verb: &str,
    url: &str,
    body: Option<Value>,
) -> Outcome<Value> {
    let request = match verb {
        "POST" => http.post(url).json(&body.unwrap_or_else(|| json!({}))),
        "DELETE" => http.delete(url),
        _ => http.get(url),
    };
    let reply: Value = request.timeout(PATIENCE * 3).send().await?.json().await?;
    let value = reply.get("value").cloned().unwrap_or(Value::Null);
    if let Some(error) = value.get("error") {
        return Err(format!("WebDriver {verb} {url}: {error}: {}", value["message"]).into());
    }
    // `POST /session` answers its id beside `value` in old drivers.
    Ok(
        if value.get("sessionId").is_some() || reply.get("sessionId").is_none() {
            value
        } else {
            reply
        },
    )
}

/// Where screenshots go: under `target/`, kept after the run.
fn screenshots() -> Outcome<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("docs-page");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_docs_page_calls_methods_and_shows_replies_and_faults() -> Outcome {
    let http = reqwest::Client::new();
    let driver = driver(&http).await?;
    let server = start(None).await.map_err(|e| e.to_string())?;
    let session = Session::open(&http, &driver).await?;
    let docs = format!("http://{}/docs", server.addr);
    // In a task of its own, so that a failed assertion still closes the
    // browser before the test fails.
    let exercised = tokio::spawn({
        let session = session.clone();
        async move { exercise(&session, &docs).await }
    })
    .await;
    session.close().await?;
    match exercised {
        Ok(result) => result,
        Err(failed) if failed.is_panic() => std::panic::resume_unwind(failed.into_panic()),
        Err(failed) => Err(failed.into()),
    }
}

async fn exercise(session: &Session, docs: &str) -> Outcome {
    session
        .command("POST", "/url", Some(json!({"url": docs})))
        .await?;
    let echo = "form.try[data-method=\"echo\"]";
    session.find("section#method-echo").await?;
    let said = "hello from <b>the browser</b>";
    session
        .type_into(&format!("{echo} input[name=\"s\"]"), said)
        .await?;
    session
        .click(&format!("{echo} button[type=\"submit\"]"))
        .await?;
    let reply = session
        .text_when(&format!("{echo} pre.reply"), "200")
        .await?;
    assert!(reply.starts_with("200"), "{reply}");
    assert!(reply.contains(&format!("\"{said}\"")), "{reply}");
    assert_eq!(
        session
            .attribute(&format!("{echo} pre.reply"), "class")
            .await?,
        "reply ok"
    );
    session.screenshot(&screenshots()?.join("echo.png")).await?;

    let create = "form.try[data-method=\"create_map\"]";
    session
        .type_into(&format!("{create} input[name=\"name\"]"), "Flat")
        .await?;
    session
        .type_into(&format!("{create} input[name=\"width\"]"), "0")
        .await?;
    session
        .type_into(&format!("{create} input[name=\"height\"]"), "5")
        .await?;
    session
        .click(&format!("{create} button[type=\"submit\"]"))
        .await?;
    let fault = session
        .text_when(&format!("{create} pre.reply"), "400")
        .await?;
    assert!(fault.starts_with("400"), "{fault}");
    assert!(fault.contains("Client.Validation"), "{fault}");
    assert!(fault.contains("width"), "{fault}");
    assert_eq!(
        session
            .attribute(&format!("{create} pre.reply"), "class")
            .await?,
        "reply fault"
    );
    // Scrolled to the form, so the screenshot shows the fault.
    let form = session.find(create).await?;
    session
        .command(
            "POST",
            "/execute/sync",
            Some(json!({"script": "arguments[0].scrollIntoView()", "args": [{ELEMENT: form}]})),
        )
        .await?;
    session
        .screenshot(&screenshots()?.join("create_map-fault.png"))
        .await?;
    Ok(())
}
