//! One method as OpenAPI operations: `POST {json endpoint}/{method}` with
//! the argument object as its body, and its REST route binding with path,
//! query and body parameters as the server reads them.

use serde_json::{Map, Value, json};
use switchboard::interface::MethodModel;

use super::responses;

/// What every operation shares.
pub(super) struct Context {
    /// The `$ref` of the fault object's schema.
    pub(super) fault_ref: String,
    /// Whether callers must authenticate (adds the `401` response).
    pub(super) auth: bool,
    /// The methods whose parameters declare constraints (they may answer
    /// `Client.Validation`).
    pub(super) constrained: std::collections::BTreeSet<&'static str>,
}

/// `POST {endpoint}/{method}`: bare params in, the result (or a fault) out.
pub(super) fn rpc(context: &Context, method: &MethodModel) -> Value {
    let mut operation = common(method, method.descriptor.name.to_owned());
    let required = !method.args["required"].as_array().is_none_or(Vec::is_empty);
    operation.insert(
        "requestBody".into(),
        json!({
            "required": required,
            "content": { "application/json": { "schema": method.args } },
        }),
    );
    // Over HTTP a one-way method answers like any other: `null` once it
    // ran. Only transports that can skip replies (queues) skip them.
    let success = ("200", result_response(method));
    let responses = responses::responses(context, method, success, None);
    operation.insert("responses".into(), responses);
    Value::Object(operation)
}

/// The REST binding as `(verb, path, operation)`, if the method has one.
pub(super) fn rest(context: &Context, method: &MethodModel) -> Option<(String, String, Value)> {
    let (verb, path) = method.descriptor.http?.split_once(' ')?;
    let verb = verb.to_ascii_lowercase();
    let in_path = placeholders(path);
    let takes_body = matches!(verb.as_str(), "post" | "put" | "patch");
    let mut operation = common(method, format!("{}.rest", method.descriptor.name));
    let mut parameters = Vec::new();
    let mut body = Map::new();
    let mut body_required = Vec::new();
    for param in &method.params {
        if in_path.contains(&param.name) {
            parameters.push(parameter(param.name, "path", true, &param.schema));
        } else if takes_body {
            body.insert(param.name.to_owned(), param.schema.clone());
            if param.required {
                body_required.push(param.name);
            }
        } else {
            parameters.push(parameter(
                param.name,
                "query",
                param.required,
                &param.schema,
            ));
        }
    }
    if !parameters.is_empty() {
        operation.insert("parameters".into(), parameters.into());
    }
    if takes_body && !body.is_empty() {
        let schema = json!({
            "type": "object",
            "properties": body,
            "required": body_required,
            "additionalProperties": false,
        });
        operation.insert(
            "requestBody".into(),
            json!({
                "required": !body_required.is_empty(),
                "content": { "application/json": { "schema": schema } },
            }),
        );
    }
    let (success, location) = match method.descriptor.created {
        Some(template) => (("201", result_response(method)), Some(template)),
        None if method.returns_nothing() => (("204", json!({ "description": "Done" })), None),
        None => (("200", result_response(method)), None),
    };
    let responses = responses::responses(context, method, success, location);
    operation.insert("responses".into(), responses);
    Some((verb, path.to_owned(), Value::Object(operation)))
}

/// What both forms say: id, summary, description, tag.
fn common(method: &MethodModel, operation_id: String) -> Map<String, Value> {
    let mut operation = Map::new();
    operation.insert("operationId".into(), operation_id.into());
    operation.insert("tags".into(), json!([method.descriptor.service]));
    let summary = method.summary();
    if !summary.is_empty() {
        operation.insert("summary".into(), summary.into());
    }
    if !method.doc.is_empty() {
        operation.insert("description".into(), method.doc.clone().into());
    }
    operation
}

/// The `200`/`201` response: the result as JSON.
fn result_response(method: &MethodModel) -> Value {
    json!({
        "description": "The result",
        "content": { "application/json": { "schema": method.result } },
    })
}

fn parameter(name: &str, location: &str, required: bool, schema: &Value) -> Value {
    json!({
        "name": name,
        "in": location,
        "required": required,
        "schema": schema,
    })
}

/// The `{name}` placeholders of a path template.
fn placeholders(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}
