//! Bodies over the limit (2048 bytes here) at each endpoint kind, over raw
//! TCP: a `Content-Length` over it is refused at once, before any body is
//! sent; a chunked body that grows past it while trickling in is cut off.
//! Both get 413 with the protocol's error body, and the endpoint serves a
//! valid call right after.

use std::error::Error;
use std::net::SocketAddr;
use std::time::Duration;

use switchboard_http::HttpConfig;
use switchboard_json::INVALID_REQUEST;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::{Endpoint, Reply, TestResult, start_with_target};

/// The body limit the server is given.
const LIMIT: usize = 2048;

/// One write of the trickled body.
const CHUNK: usize = 256;

/// How long a test waits for an answer before failing.
const PATIENCE: Duration = Duration::from_secs(10);

/// Sends the request `send` writes to every endpoint kind, checking it gets
/// 413 and that the endpoint still serves.
async fn too_large_everywhere<F, Fut>(send: F) -> TestResult
where
    F: Fn(SocketAddr, Endpoint) -> Fut,
    Fut: Future<Output = Result<Reply, Box<dyn Error>>>,
{
    let config = HttpConfig::default().with_max_body_bytes(LIMIT);
    let running = start_with_target(config).await?;
    for (n, endpoint) in Endpoint::ALL.into_iter().enumerate() {
        let reply = timeout(PATIENCE, send(running.addr, endpoint)).await??;
        // Refused before the protocol ran: 413 at `/jsonrpc` too.
        endpoint.check_fault(&reply, (413, 413), "Client.LimitExceeded", INVALID_REQUEST)?;
        endpoint.check_alive(&running, n).await?;
    }
    running.shutdown().await
}

/// The request head, ending with the body's `framing` header.
fn head(endpoint: Endpoint, framing: &str) -> String {
    let (verb, path) = (endpoint.verb(), endpoint.path());
    format!(
        "{verb} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n{framing}\r\n\r\n"
    )
}

/// Announces twice the limit and sends no body at all: only an answer
/// given at once can arrive.
async fn declare_too_much(addr: SocketAddr, endpoint: Endpoint) -> Result<Reply, Box<dyn Error>> {
    let mut stream = TcpStream::connect(addr).await?;
    let framing = format!("content-length: {}", 2 * LIMIT);
    stream
        .write_all(head(endpoint, &framing).as_bytes())
        .await?;
    read_reply(&mut stream).await
}

/// Sends twice the limit in small chunks with pauses, reading the answer
/// while writing.
async fn trickle_too_much(addr: SocketAddr, endpoint: Endpoint) -> Result<Reply, Box<dyn Error>> {
    let (mut reader, mut writer) = TcpStream::connect(addr).await?.into_split();
    let head = head(endpoint, "transfer-encoding: chunked");
    writer.write_all(head.as_bytes()).await?;
    let trickle = tokio::spawn(async move {
        let chunk = format!("{CHUNK:x}\r\n{}\r\n", " ".repeat(CHUNK));
        for _ in 0..2 * LIMIT / CHUNK {
            // A failed write means the server has answered and closed.
            if writer.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let _ = writer.write_all(b"0\r\n\r\n").await;
    });
    let reply = read_reply(&mut reader).await?;
    trickle.await?;
    Ok(reply)
}

/// Reads one HTTP response (with a `Content-Length` body).
async fn read_reply(stream: &mut (impl AsyncRead + Unpin)) -> Result<Reply, Box<dyn Error>> {
    let mut received = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        if let Some(reply) = parse_reply(&received)? {
            return Ok(reply);
        }
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            let text = String::from_utf8_lossy(&received);
            return Err(format!("the connection closed mid-reply: {text:?}").into());
        }
        received.extend_from_slice(&buffer[..read]);
    }
}

/// The response in `received`, once all of it is there.
fn parse_reply(received: &[u8]) -> Result<Option<Reply>, Box<dyn Error>> {
    let text = String::from_utf8_lossy(received);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return Ok(None);
    };
    let status = head.split(' ').nth(1).ok_or("a status line")?.parse()?;
    let length = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        let length = name.eq_ignore_ascii_case("content-length");
        length.then(|| value.trim().parse::<usize>().ok()).flatten()
    });
    let length = length.ok_or("a content-length")?;
    Ok(body.get(..length).map(|body| Reply {
        status,
        location: None,
        body: body.to_owned(),
    }))
}

#[tokio::test]
async fn a_content_length_over_the_limit_gets_413_at_once_everywhere() -> TestResult {
    too_large_everywhere(declare_too_much).await
}

#[tokio::test]
async fn a_slow_chunked_body_over_the_limit_gets_413_everywhere() -> TestResult {
    too_large_everywhere(trickle_too_much).await
}
