//! TLS against a private node with a TLS listener only: certificates made
//! by `openssl` for the test (a CA, the broker's, a client's), calls over
//! `amqps://` with peer verification and a client certificate; a broker
//! whose certificate the client does not trust is refused with an error
//! that says so, and so is a client without a certificate.

mod common;

use std::error::Error as _;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use serde_json::json;
use switchboard::{Application, Client, Server, ServerTransport};
use switchboard_amqp::{
    AmqpClient, AmqpServer, Binding, ClientOptions, ConnectionSettings, QueueSpec, ServerOptions,
};
use switchboard_demo as _;
use switchboard_json::JsonRpc;

use common::TestResult;
use common::node::{PrivateNode, dir_for};

fn openssl(dir: &Path, args: &[&str]) -> Result<(), String> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("openssl: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A CA `{ca}.pem`/`{ca}.key`, and `{name}.pem`/`{name}.key` signed by it
/// for `localhost` (keys in PKCS#8 PEM).
fn certificates(dir: &Path, ca: &str, names: &[&str]) -> Result<(), String> {
    let key = |name: &str| format!("{name}.key");
    let ec = [
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
    ];
    openssl(dir, &[&ec[..], &[&key(ca)]].concat())?;
    let ca_pem = format!("{ca}.pem");
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            &key(ca),
            "-days",
            "2",
            "-subj",
            &format!("/CN={ca}"),
            "-out",
            &ca_pem,
        ],
    )?;
    std::fs::write(
        dir.join("san.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .map_err(|e| e.to_string())?;
    for name in names {
        openssl(dir, &[&ec[..], &[&key(name)]].concat())?;
        let csr = format!("{name}.csr");
        openssl(
            dir,
            &[
                "req",
                "-new",
                "-key",
                &key(name),
                "-subj",
                "/CN=localhost",
                "-out",
                &csr,
            ],
        )?;
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &ca_pem,
                "-CAkey",
                &key(ca),
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "san.ext",
                "-out",
                &format!("{name}.pem"),
            ],
        )?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_go_over_amqps_with_peer_verification_and_untrusted_peers_are_refused() -> TestResult
{
    let dir = dir_for("tls");
    certificates(&dir, "ca", &["server", "client"])?;
    certificates(&dir, "other-ca", &["stranger"])?;
    let file = |name: &str| dir.join(name).display().to_string();
    let config = format!(
        "ssl_options.cacertfile = {}\nssl_options.certfile = {}\nssl_options.keyfile = {}\n\
         ssl_options.verify = verify_peer\nssl_options.fail_if_no_peer_cert = true\n",
        file("ca.pem"),
        file("server.pem"),
        file("server.key"),
    );
    let node = PrivateNode::start("tls", &config, false)?;
    let url = format!("amqps://guest:guest@localhost:{}/%2f", node.port);
    let trusted = ConnectionSettings::new(&url)
        .with_ca_file(dir.join("ca.pem"))
        .with_client_cert(dir.join("client.pem"), dir.join("client.key"));

    let app = Application::builder().services(["demo"]).build()?;
    let options = ServerOptions::new(Binding::work_queue(QueueSpec::new("tls").auto_delete(true)));
    let server = AmqpServer::new(trusted.clone(), options);
    server.declare().await?;
    let serving = tokio::spawn(server.serve(Server::new(app, JsonRpc), std::future::pending()));
    let transport = AmqpClient::connect(trusted.clone(), ClientOptions::to_queue("tls")).await?;
    let client = Client::new(Arc::new(transport), Arc::new(JsonRpc));
    let echoed: String = client
        .call_named("echo", &json!({"s": "over tls"}), None)
        .await?;
    assert_eq!(echoed, "over tls");

    // The client does not trust the broker's CA.
    let untrusting = ConnectionSettings::new(&url)
        .with_ca_file(dir.join("other-ca.pem"))
        .with_client_cert(dir.join("client.pem"), dir.join("client.key"));
    let refused = untrusting
        .connect()
        .await
        .err()
        .ok_or("an untrusted broker was accepted")?;
    let why = format!(
        "{refused}: {}",
        refused
            .source()
            .map(ToString::to_string)
            .unwrap_or_default()
    );
    eprintln!("untrusted broker: {why}");
    assert!(
        why.contains("cannot connect") && why.to_lowercase().contains("certificate"),
        "{why}"
    );

    // The broker does not trust the client's certificate, or gets none.
    for settings in [
        ConnectionSettings::new(&url)
            .with_ca_file(dir.join("ca.pem"))
            .with_client_cert(dir.join("stranger.pem"), dir.join("stranger.key")),
        ConnectionSettings::new(&url).with_ca_file(dir.join("ca.pem")),
    ] {
        assert!(
            settings.connect().await.is_err(),
            "a client the broker does not trust got in"
        );
    }
    serving.abort();
    drop(node);
    Ok(())
}
