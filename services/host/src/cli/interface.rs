//! `interface NAME`: writes an interface document (OpenAPI, OpenRPC, the
//! docs page, the WSDL) of the services without starting a server — the
//! same bytes `serve` publishes with the same options.

use std::path::PathBuf;

use clap::Args;
use switchboard::Application;
use switchboard_http::Auth;

use super::Context;
use super::hosted::{ProtocolsArg, ServicesArg};
use crate::catalog::{DocumentContext, EntryParser, InterfaceDocument};
use crate::hosting;
use crate::tools::CommandError;

/// Options of `interface`.
#[derive(Debug, Args)]
pub(crate) struct InterfaceArgs {
    /// The document to write.
    #[arg(value_parser = EntryParser::<InterfaceDocument>::all())]
    document: &'static InterfaceDocument,
    #[command(flatten)]
    services: ServicesArg,
    #[command(flatten)]
    protocols: ProtocolsArg,
    /// Public base URL the document's links start with (as `serve
    /// --public-url`); relative links without it.
    #[arg(long, env = "SWITCHBOARD_PUBLIC_URL")]
    public_url: Option<String>,
    /// The auth scheme the described server requires (as `serve
    /// --auth-token` or `--auth-basic`; no secret is needed or written).
    #[arg(long, env = "SWITCHBOARD_AUTH_SCHEME", value_enum, default_value_t = AuthScheme::None)]
    auth_scheme: AuthScheme,
    /// File to write; standard output without it.
    #[arg(long, env = "SWITCHBOARD_INTERFACE_OUT", value_name = "FILE")]
    out: Option<PathBuf>,
}

/// `--auth-scheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum AuthScheme {
    /// Anyone may call.
    None,
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: Basic`.
    Basic,
}

impl AuthScheme {
    /// An [`Auth`] of this scheme; its secrets are never written into a
    /// document, so they are left empty.
    fn auth(self) -> Auth {
        match self {
            Self::None => Auth::None,
            Self::Bearer => Auth::Bearer {
                token: String::new(),
            },
            Self::Basic => Auth::Basic {
                user: String::new(),
                password: String::new(),
            },
        }
    }
}

/// Builds the document and writes it to `--out` or standard output.
pub(crate) fn run(args: InterfaceArgs, context: &Context) -> Result<(), CommandError> {
    let text = document(&args, context)?;
    match &args.out {
        Some(path) => std::fs::write(path, text).map_err(|source| CommandError::File {
            action: "write",
            path: path.clone(),
            source,
        }),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

/// The document `args` ask for.
fn document(args: &InterfaceArgs, context: &Context) -> Result<String, CommandError> {
    // The services' state is needed to build the application, not to
    // describe it: it lives in a scratch directory removed afterwards.
    let scratch = tempfile::tempdir().map_err(|source| CommandError::File {
        action: "create a scratch directory in",
        path: std::env::temp_dir(),
        source,
    })?;
    let public_url = args.public_url.as_deref();
    let app: Application = hosting::application_with(
        &context.info,
        args.services.services.iter().copied(),
        &context.setups,
        &scratch.path().join("state.db"),
        public_url,
    )?;
    let documents = DocumentContext {
        info: hosting::document_info_of(&context.info, &app, public_url),
        host: context.info.clone(),
        protocols: args.protocols.protocols.to_vec(),
        auth: args.auth_scheme.auth(),
        server_url: None,
    };
    Ok(args.document.build(&app, &documents))
}
