//! A transport written outside switchboard's host and CLI: requests over
//! a Unix socket, one connection per request. It registers itself in the
//! transport catalog (`test:PATH`), and that is all a host needs to serve
//! it with `serve --on test:/tmp/s.sock` and call it with
//! `call --to test:/tmp/s.sock`; the transport suite checks it from the
//! catalog like every other transport.
//!
//! A request is one byte (1: one-way, 0: a reply is awaited), a 4-byte
//! big-endian length and the body; the answer, a 4-byte length and the
//! reply's body (empty for one-way requests and replies without a body).
//! One-way requests are answered once read, before they run.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use switchboard::catalog::{
    Address, BindError, Bound, BoxFuture, Capabilities, ConnectSettings, ServeSettings,
    TransportEntry, inventory,
};
use switchboard::{
    ClientTransport, OutgoingRequest, RequestInfo, Server, TransportError, TransportFacts,
    async_trait,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinSet;

/// The largest request or reply body, in bytes.
const MAX_BODY: u32 = 1 << 20;

inventory::submit! {
    TransportEntry::new("test", "a Unix socket, one connection per request (a test transport)", &["test"])
        .example("test:/tmp/switchboard.sock")
        .options(&["protocol"])
        .capabilities(Capabilities::NONE.with_replies().with_one_way())
        .bind(bind)
        .connect(connect)
        .conformance(|dir, unique| Some(format!("test:{}", dir.join(format!("{unique}.sock")).display())))
}

fn socket_of(address: &Address) -> Result<PathBuf, BindError> {
    match address.path() {
        "" => Err(address.invalid("no socket path: write test:PATH").into()),
        path => Ok(PathBuf::from(path)),
    }
}

fn bind(address: Address, settings: ServeSettings) -> BoxFuture<'static, Result<Bound, BindError>> {
    Box::pin(async move {
        address.check_options(&["protocol"])?;
        let path = socket_of(&address)?;
        let protocol = settings.protocol_at(&address, "jsonrpc")?;
        // A socket file left by a process that died would refuse the bind.
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path).map_err(|source| BindError::Local {
            action: "listen on",
            target: path.display().to_string(),
            source: source.into(),
        })?;
        let server = Server::new(settings.app, protocol.server(&settings.settings));
        let banner = vec![format!(
            "{} listening on test:{} ({})",
            settings.host_name,
            path.display(),
            protocol.name()
        )];
        let reach = Address::parse(&format!("test:{}", path.display()))?;
        Ok(Bound::new(banner, move |shutdown| {
            Box::pin(serve(listener, server, shutdown))
        })
        .with_reach(reach))
    })
}

/// Answers connections until `shutdown`, then lets running requests finish.
async fn serve(
    listener: UnixListener,
    server: Server,
    shutdown: BoxFuture<'static, ()>,
) -> Result<(), TransportError> {
    let mut running = JoinSet::new();
    let mut shutdown = shutdown;
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => {
                let (stream, _) = accepted.map_err(|err| TransportError::Io(err.into()))?;
                let server = server.clone();
                running.spawn(async move {
                    if let Err(err) = answer(stream, &server).await {
                        tracing::debug!(error = %err, "a test-transport request failed");
                    }
                });
            }
            Some(_) = running.join_next(), if !running.is_empty() => {}
        }
    }
    while running.join_next().await.is_some() {}
    Ok(())
}

/// Reads one request, runs it, and writes its answer.
async fn answer(mut stream: UnixStream, server: &Server) -> std::io::Result<()> {
    let one_way = stream.read_u8().await? == 1;
    let body = read_body(&mut stream).await?;
    let request = RequestInfo::new(body, TransportFacts::NONE);
    if one_way {
        write_body(&mut stream, &[]).await?;
        drop(stream);
        server.process(request).await;
        return Ok(());
    }
    let response = server.process(request).await;
    write_body(&mut stream, response.body.as_deref().unwrap_or_default()).await
}

async fn read_body(stream: &mut UnixStream) -> std::io::Result<Vec<u8>> {
    let len = stream.read_u32().await?;
    if len > MAX_BODY {
        return Err(std::io::Error::other(format!("a body of {len} bytes")));
    }
    let mut body = vec![0; len as usize];
    stream.read_exact(&mut body).await?;
    Ok(body)
}

async fn write_body(stream: &mut UnixStream, body: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(body.len()).map_err(std::io::Error::other)?;
    stream.write_u32(len).await?;
    stream.write_all(body).await?;
    stream.flush().await
}

/// Sends each request on a connection of its own.
#[derive(Debug)]
struct TestClient {
    path: PathBuf,
}

#[async_trait]
impl ClientTransport for TestClient {
    async fn send(&self, request: OutgoingRequest) -> Result<Option<Bytes>, TransportError> {
        let exchange = async {
            let mut stream = UnixStream::connect(&self.path)
                .await
                .map_err(|err| TransportError::Connect(err.into()))?;
            let io = |err: std::io::Error| TransportError::Io(err.into());
            stream
                .write_u8(u8::from(request.one_way))
                .await
                .map_err(io)?;
            write_body(&mut stream, &request.body).await.map_err(io)?;
            let reply = read_body(&mut stream).await.map_err(io)?;
            Ok::<_, TransportError>(reply)
        };
        let reply = match request.deadline {
            Some(deadline) => tokio::time::timeout_at(deadline.into(), exchange)
                .await
                .map_err(|_| TransportError::Timeout)??,
            None => exchange.await?,
        };
        if request.one_way || reply.is_empty() {
            return Ok(None);
        }
        Ok(Some(Bytes::from(reply)))
    }
}

fn connect(
    address: Address,
    _settings: ConnectSettings,
) -> BoxFuture<'static, Result<Arc<dyn ClientTransport>, BindError>> {
    Box::pin(async move {
        address.check_options(&[])?;
        let path = socket_of(&address)?;
        Ok(Arc::new(TestClient { path }) as Arc<dyn ClientTransport>)
    })
}
