//! The responses of an operation: its success, and a fault response for
//! each status its faults are answered with — every declared fault code
//! (`throws`) at the status the server maps it to, invalid parameters
//! (`400`, with `Client.Validation` when the parameters declare
//! constraints), missing credentials when auth is on (`401`), and server
//! errors (`500`). Fault bodies are the JSON document's fault object.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use switchboard::interface::{InterfaceModel, MethodModel};
use switchboard::{Fault, code};

use super::operation::Context;
use crate::server::status::status_of;

/// The name of the fault object's schema: `Fault`, unless the services
/// define a type of that name.
pub(super) fn fault_schema_name(definitions: &Map<String, Value>) -> String {
    ["Fault", "SwitchboardFault"]
        .into_iter()
        .find(|name| !definitions.contains_key(*name))
        .unwrap_or("switchboard.Fault")
        .to_owned()
}

/// The JSON document's fault object.
pub(super) fn fault_schema() -> Value {
    json!({
        "description": "A fault: its dotted code (`Client.NotFound`), a message safe to show, and optional details.",
        "type": "object",
        "properties": {
            "faultcode": { "type": "string" },
            "faultstring": { "type": "string" },
            "detail": {},
        },
        "required": ["faultcode", "faultstring"],
    })
}

/// Every response of `method`: `success` (status and response object),
/// with a `Location` header when it creates at `location`, and the faults.
pub(super) fn responses(
    context: &Context,
    method: &MethodModel,
    success: (&str, Value),
    location: Option<&str>,
) -> Value {
    let (status, mut ok) = success;
    if let (Some(template), Value::Object(ok)) = (location, &mut ok) {
        ok.insert(
            "headers".into(),
            json!({ "Location": {
                "description": format!("Where the new resource is: {template}"),
                "schema": { "type": "string" },
            }}),
        );
    }
    let mut responses = Map::new();
    responses.insert(status.to_owned(), ok);
    for (status, codes) in fault_statuses(context, method) {
        let listed: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
        responses.insert(
            status.to_string(),
            json!({
                "description": format!("Fault: {}", listed.join(", ")),
                "content": { "application/json": { "schema": { "$ref": context.fault_ref } } },
            }),
        );
    }
    Value::Object(responses)
}

/// The fault codes `method` may answer, grouped by their HTTP status.
fn fault_statuses(context: &Context, method: &MethodModel) -> BTreeMap<u16, Vec<&'static str>> {
    let mut codes: Vec<&'static str> = method.descriptor.throws.to_vec();
    codes.push(code::INVALID_PARAMS);
    if context.constrained.contains(method.descriptor.name) {
        codes.push(code::VALIDATION);
    }
    if context.auth {
        codes.push(code::UNAUTHORIZED);
    }
    codes.push(code::SERVER);
    let mut by_status: BTreeMap<u16, Vec<&'static str>> = BTreeMap::new();
    for code in codes {
        let status = status_of(&Fault::new(code, "")).as_u16();
        let listed = by_status.entry(status).or_default();
        if !listed.contains(&code) {
            listed.push(code);
        }
    }
    by_status
}

/// The JSON Schema keywords of the constraints `#[schemars(...)]` declares
/// (and the checks before a method runs enforce).
const CONSTRAINTS: [&str; 11] = [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
];

/// Whether `schema` (following its `$ref`s into `model`'s definitions)
/// declares a constraint anywhere.
pub(super) fn declares_constraints(model: &InterfaceModel, schema: &Value) -> bool {
    let mut seen = Vec::new();
    declares(model, schema, &mut seen)
}

fn declares<'a>(model: &'a InterfaceModel, schema: &'a Value, seen: &mut Vec<&'a str>) -> bool {
    match schema {
        Value::Object(object) => {
            if CONSTRAINTS.iter().any(|k| object.contains_key(*k)) {
                return true;
            }
            if let Some(name) = model.definition_name(schema)
                && !seen.contains(&name)
            {
                seen.push(name);
                if model
                    .definitions
                    .get(name)
                    .is_some_and(|d| declares(model, d, seen))
                {
                    return true;
                }
            }
            object.values().any(|v| declares(model, v, seen))
        }
        Value::Array(items) => items.iter().any(|v| declares(model, v, seen)),
        _ => false,
    }
}
