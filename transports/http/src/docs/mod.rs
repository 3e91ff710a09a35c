//! The docs page (`GET /docs`): every service and method with its doc
//! comment, parameters, constraints, result and faults, every named type,
//! and a try-it form per method that calls `POST {json endpoint}/{method}`
//! and shows the reply or the fault.
//!
//! One self-contained HTML file: its CSS and script are embedded in the
//! binary and inlined, and nothing is loaded from elsewhere, so it works
//! on machines without internet. Everything that comes from doc comments,
//! schemas and names is HTML-escaped. Deterministic, like the other
//! interface documents.
//!
//! ```
//! use switchboard::Application;
//! use switchboard::interface::DocumentInfo;
//! use switchboard_http::docs::{DocsSettings, docs_page};
//! use switchboard_demo as _; // links the `demo` service
//!
//! let app = Application::builder().services(["demo"]).build()?;
//! let page = docs_page(&app, &DocsSettings::new(DocumentInfo::new("demo", "0.1.0")));
//! assert!(page.contains("<form class=\"try\" data-method=\"echo\" action=\"/json/echo\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod html;
mod method;
mod schema;

use std::fmt::Write;

use switchboard::Application;
use switchboard::interface::{DocumentInfo, InterfaceModel, ModelSettings};

use crate::config::Auth;
use html::escape;

/// The page's style sheet, inlined.
const CSS: &str = include_str!("page.css");

/// The try-it forms' script, inlined.
const SCRIPT: &str = include_str!("page.js");

/// The media type the page is served with.
pub const MEDIA_TYPE: &str = "text/html; charset=utf-8";

/// What the page needs besides the methods.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DocsSettings {
    /// Title, version, and the public base URL the forms post to.
    pub info: DocumentInfo,
    /// The path of the JSON document endpoint the forms call (`/json`).
    pub json_endpoint: String,
    /// How callers authenticate: with auth on, the page asks for the
    /// `Authorization` header value to send (never a secret of its own).
    pub auth: Auth,
}

impl DocsSettings {
    /// The endpoint's default path.
    pub const DEFAULT_JSON_ENDPOINT: &str = "/json";

    /// A page with `info`, whose forms call `/json/{method}`.
    pub fn new(info: DocumentInfo) -> Self {
        Self {
            info,
            json_endpoint: Self::DEFAULT_JSON_ENDPOINT.to_owned(),
            auth: Auth::None,
        }
    }

    /// Names the JSON document endpoint's path.
    #[must_use]
    pub fn with_json_endpoint(mut self, path: impl Into<String>) -> Self {
        self.json_endpoint = format!("/{}", path.into().trim_matches('/'));
        self
    }

    /// Says how callers authenticate (the secrets are not written).
    #[must_use]
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }
}

/// The docs page of `app`.
pub fn docs_page(app: &Application, settings: &DocsSettings) -> String {
    let model = InterfaceModel::of(app, &ModelSettings::default());
    let title = escape(&settings.info.title);
    let endpoint = settings.info.link(&settings.json_endpoint);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — API docs</title><style>{CSS}</style></head><body>\
         <header><h1>{title}</h1><p>version {} · every method, also callable at \
         <code>POST {}/{{method}}</code> with its parameters as a JSON object</p></header>",
        escape(&settings.info.version),
        escape(&endpoint),
    );
    out.push_str(&contents(&model, &settings.auth));
    out.push_str("<main>");
    let mut service = "";
    for method in &model.methods {
        if method.descriptor.service != service {
            service = method.descriptor.service;
            let _ = write!(
                out,
                "<h2 id=\"service-{0}\">Service <code>{0}</code></h2>",
                escape(service)
            );
        }
        out.push_str(&method::section(&model, method, &endpoint));
    }
    if !model.definitions.is_empty() {
        out.push_str("<h2 id=\"types\">Types</h2>");
        for (name, schema) in &model.definitions {
            out.push_str(&method::type_section(&model, name, schema));
        }
    }
    let _ = writeln!(out, "</main><script>{SCRIPT}</script></body></html>");
    out
}

/// The table of contents, and the credentials field when auth is on.
fn contents(model: &InterfaceModel, auth: &Auth) -> String {
    let mut out = String::from("<nav><strong>Methods</strong><ul>");
    for method in &model.methods {
        let name = escape(method.descriptor.name);
        let _ = write!(
            out,
            "<li><a href=\"#method-{name}\"><code>{name}</code></a> <small>{}</small></li>",
            escape(method.descriptor.service)
        );
    }
    out.push_str("</ul>");
    let hint = match auth {
        Auth::None => None,
        Auth::Bearer { .. } => Some("Bearer <token>"),
        Auth::Basic { .. } => Some("Basic <base64 of user:password>"),
    };
    if let Some(hint) = hint {
        let _ = write!(
            out,
            "<div id=\"credentials\"><label>Authorization header sent by the forms: \
             <input id=\"authorization\" placeholder=\"{}\"></label></div>",
            escape(hint)
        );
    }
    out.push_str("</nav>");
    out
}

#[cfg(test)]
mod tests;
