//! One method's section of the docs page: its doc comment, parameters
//! with types and constraints, result, faults with their statuses, and
//! its try-it form; and one section per named type.

use std::fmt::Write;

use serde_json::Value;
use switchboard::interface::{InterfaceModel, MethodModel};
use switchboard::{Fault, code};

use super::html::{doc, escape};
use super::schema::{constraints, input_kind, type_label};
use crate::server::status::status_of;

/// The section of `method`, with its form posting to `{endpoint}/{name}`.
pub(super) fn section(model: &InterfaceModel, method: &MethodModel, endpoint: &str) -> String {
    let d = method.descriptor;
    let name = escape(d.name);
    let mut out = String::new();
    let _ = write!(
        out,
        "<section class=\"method\" id=\"method-{name}\" data-method=\"{name}\">\
         <h3><code>{name}</code> <span class=\"service\">{}</span>{}</h3>{}",
        escape(d.service),
        if d.one_way {
            " <span class=\"tag\">one-way</span>"
        } else {
            ""
        },
        doc(&method.doc),
    );
    if let Some(route) = d.http {
        let _ = write!(
            out,
            "<p class=\"route\">REST: <code>{}</code></p>",
            escape(route)
        );
    }
    out.push_str(&params_table(model, method));
    let result = if method.returns_nothing() {
        "nothing".to_owned()
    } else {
        type_html(model, &method.result)
    };
    let _ = write!(out, "<h4>Result</h4><p class=\"result\">{result}</p>");
    out.push_str(&faults(method));
    out.push_str(&form(model, method, endpoint));
    out.push_str("</section>");
    out
}

fn params_table(model: &InterfaceModel, method: &MethodModel) -> String {
    if method.params.is_empty() {
        return "<h4>Parameters</h4><p>none</p>".to_owned();
    }
    let mut out = String::from(
        "<h4>Parameters</h4><table class=\"params\"><tr><th>name</th><th>type</th>\
         <th>required</th><th>constraints</th></tr>",
    );
    for param in &method.params {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(param.name),
            type_html(model, &param.schema),
            if param.required { "yes" } else { "no" },
            escape(&constraints(model.resolve(&param.schema)).join("; ")),
        );
    }
    out.push_str("</table>");
    out
}

fn faults(method: &MethodModel) -> String {
    let mut codes: Vec<&str> = method.descriptor.throws.to_vec();
    codes.push(code::INVALID_PARAMS);
    codes.dedup();
    let mut out = String::from("<h4>Faults</h4><ul class=\"faults\">");
    for code in codes {
        let status = status_of(&Fault::new(code, "")).as_u16();
        let _ = write!(out, "<li><code>{}</code> ({status})</li>", escape(code));
    }
    out.push_str("</ul>");
    out
}

/// The type of `schema` as code, linked to its section when it is a
/// named type.
fn type_html(model: &InterfaceModel, schema: &Value) -> String {
    let label = escape(&type_label(model, schema));
    match model.definition_name(schema) {
        Some(name) => format!(
            "<a href=\"#type-{}\"><code>{label}</code></a>",
            escape(name)
        ),
        None => format!("<code>{label}</code>"),
    }
}

/// The try-it form: one field per parameter, typed by `data-kind`.
fn form(model: &InterfaceModel, method: &MethodModel, endpoint: &str) -> String {
    let name = escape(method.descriptor.name);
    let action = escape(&format!("{endpoint}/{}", method.descriptor.name));
    let mut out = format!(
        "<form class=\"try\" data-method=\"{name}\" action=\"{action}\" method=\"post\">\
         <h4>Try it</h4>"
    );
    for param in &method.params {
        let kind = input_kind(model, &param.schema);
        let field = escape(param.name);
        let required = if param.required {
            " data-required=\"true\""
        } else {
            ""
        };
        let placeholder = escape(&type_label(model, &param.schema));
        let control = if kind == "json" {
            format!(
                "<textarea name=\"{field}\" data-kind=\"json\"{required} placeholder=\"{placeholder} (JSON)\"></textarea>"
            )
        } else {
            format!(
                "<input name=\"{field}\" data-kind=\"{kind}\"{required} placeholder=\"{placeholder}\">"
            )
        };
        let _ = write!(out, "<label><span>{field}</span>{control}</label>");
    }
    out.push_str(
        "<button type=\"submit\">Call</button>\
         <pre class=\"reply\" aria-live=\"polite\"></pre></form>",
    );
    out
}

/// The section of one named type: its description, and its fields or
/// values.
pub(super) fn type_section(model: &InterfaceModel, name: &str, schema: &Value) -> String {
    let mut out = format!(
        "<section class=\"type\" id=\"type-{0}\"><h3><code>{0}</code></h3>",
        escape(name)
    );
    if let Some(description) = schema.get("description").and_then(Value::as_str) {
        out.push_str(&doc(description));
    }
    match schema.get("properties").and_then(Value::as_object) {
        Some(properties) => {
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            out.push_str(
                "<table class=\"fields\"><tr><th>field</th><th>type</th><th>required</th>\
                 <th>constraints</th><th>description</th></tr>",
            );
            for (field, property) in properties {
                let description = property.get("description").and_then(Value::as_str);
                let _ = write!(
                    out,
                    "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(field),
                    escape(&type_label(model, property)),
                    if required.contains(&field.as_str()) {
                        "yes"
                    } else {
                        "no"
                    },
                    escape(&constraints(property).join("; ")),
                    escape(description.unwrap_or("")),
                );
            }
            out.push_str("</table>");
        }
        None => {
            let _ = write!(
                out,
                "<p><code>{}</code></p>",
                escape(&type_label(model, schema))
            );
        }
    }
    out.push_str("</section>");
    out
}
