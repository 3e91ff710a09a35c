//! One method as an OpenRPC method object: summary, description, tag,
//! parameters as content descriptors, result, and declared faults as
//! JSON-RPC error objects.

use serde_json::{Map, Value, json};
use switchboard::Fault;
use switchboard::interface::MethodModel;

use crate::jsonrpc::error_code;

/// The method object of `method`.
pub(super) fn method_object(method: &MethodModel) -> Value {
    let descriptor = method.descriptor;
    let mut object = Map::new();
    object.insert("name".into(), descriptor.name.into());
    object.insert("tags".into(), json!([{ "name": descriptor.service }]));
    let summary = method.summary();
    if !summary.is_empty() {
        object.insert("summary".into(), summary.into());
    }
    if !method.doc.is_empty() {
        object.insert("description".into(), method.doc.clone().into());
    }
    let params: Vec<Value> = method
        .params
        .iter()
        .map(|param| {
            json!({
                "name": param.name,
                "required": param.required,
                "schema": param.schema,
            })
        })
        .collect();
    object.insert("params".into(), params.into());
    object.insert(
        "result".into(),
        json!({ "name": "result", "schema": method.result }),
    );
    let errors = errors(method);
    if !errors.is_empty() {
        object.insert("errors".into(), errors.into());
    }
    object.insert("paramStructure".into(), "either".into());
    Value::Object(object)
}

/// The declared faults, as the JSON-RPC errors they are answered with;
/// methods with parameters also answer invalid ones (`Client.InvalidParams`).
fn errors(method: &MethodModel) -> Vec<Value> {
    let mut codes: Vec<&str> = method.descriptor.throws.to_vec();
    if !method.params.is_empty() {
        codes.push(switchboard::code::INVALID_PARAMS);
    }
    let mut seen = Vec::new();
    codes
        .into_iter()
        .filter(|code| {
            let new = !seen.contains(code);
            seen.push(code);
            new
        })
        .map(|code| {
            let fault = Fault::new(code, "");
            json!({
                "code": error_code(&fault),
                "message": code,
            })
        })
        .collect()
}
