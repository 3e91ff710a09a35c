//! The WSDL 1.1 document of an application served over [`Soap`](crate::Soap):
//! document/literal wrapped, with its XML Schema embedded, built from the
//! same [`InterfaceModel`] as every other interface document.
//!
//! - each method is an operation whose input is the element named after it
//!   (its parameters, in name order) and whose output is
//!   `{method}Response` holding `{method}Result` (nothing for `()`);
//!   one-way methods have no output;
//! - doc comments become `wsdl:documentation` and `xs:documentation`;
//! - each declared fault code (`throws`) becomes a `wsdl:fault` of the
//!   operations that declare it;
//! - the port's `soap:address` is the endpoint URL it is given, never one
//!   guessed from a request.
//!
//! The document is deterministic: the same application and settings give
//! the same bytes on every run. Build it once and keep it (the HTTP server
//! is handed the bytes at startup).

mod text;
mod xsd;

use std::collections::BTreeSet;

use switchboard::Application;
use switchboard::interface::{InterfaceModel, MethodModel, ModelSettings};

use crate::settings::SoapSettings;
use text::{Xml, attr, ncname};
use xsd::{Occurs, Xsd, xs_documentation};

const WSDL: &str = "http://schemas.xmlsoap.org/wsdl/";
const WSDL_SOAP: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
const XS: &str = "http://www.w3.org/2001/XMLSchema";
const SOAP_HTTP: &str = "http://schemas.xmlsoap.org/soap/http";

/// The WSDL 1.1 document describing `app` served over SOAP with
/// `settings`, at `endpoint_url` (the `soap:address` of its port, e.g.
/// `http://127.0.0.1:8080/soap`). JSON-RPC's system methods (`rpc.discover`)
/// are left out: SOAP does not serve them.
///
/// ```
/// use switchboard::{rpc, Application};
/// use switchboard_soap::{wsdl, SoapSettings};
///
/// /// Says its name.
/// #[rpc(service = "namer")]
/// fn name_of(who: String) -> String {
///     format!("I am {who}")
/// }
///
/// let app = Application::builder().services(["namer"]).build()?;
/// let wsdl = wsdl(&app, &SoapSettings::default(), "http://127.0.0.1:8080/soap");
/// assert!(wsdl.contains("<wsdl:operation name=\"name_of\">"));
/// assert!(wsdl.contains("<soap:address location=\"http://127.0.0.1:8080/soap\"/>"));
/// // The same bytes every time.
/// assert_eq!(wsdl, switchboard_soap::wsdl(&app, &SoapSettings::default(), "http://127.0.0.1:8080/soap"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn wsdl(app: &Application, settings: &SoapSettings, endpoint_url: &str) -> String {
    let mut model = InterfaceModel::of(app, &ModelSettings::default());
    model
        .methods
        .retain(|m| crate::protocol::served_over_soap(m.descriptor.name));
    let service = ncname(settings.service_name());
    let tns = attr(settings.namespace());
    let faults: BTreeSet<&str> = model
        .methods
        .iter()
        .flat_map(|m| m.descriptor.throws.iter().copied())
        .collect();
    let mut out = Xml::default();
    out.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    out.open(&format!(
        "wsdl:definitions xmlns:wsdl=\"{WSDL}\" xmlns:soap=\"{WSDL_SOAP}\" xmlns:xs=\"{XS}\" \
         xmlns:tns=\"{tns}\" targetNamespace=\"{tns}\" name=\"{service}\""
    ));
    types(&mut out, &model, &tns, &faults);
    messages(&mut out, &model, &faults);
    port_type(&mut out, &model, &service);
    binding(&mut out, &model, &service);
    out.open(&format!("wsdl:service name=\"{service}\""));
    out.open(&format!(
        "wsdl:port name=\"{service}Port\" binding=\"tns:{service}Binding\""
    ));
    out.empty(&format!("soap:address location=\"{}\"", attr(endpoint_url)));
    out.close("wsdl:port");
    out.close("wsdl:service");
    out.close("wsdl:definitions");
    out.finish()
}

/// The element name of a fault code's detail, and of its message.
fn fault_name(code: &str) -> String {
    format!("{}Fault", ncname(code))
}

fn types(out: &mut Xml, model: &InterfaceModel, tns: &str, faults: &BTreeSet<&str>) {
    let xsd = Xsd { model };
    out.open("wsdl:types");
    out.open(&format!(
        "xs:schema xmlns:xs=\"{XS}\" xmlns:tns=\"{tns}\" targetNamespace=\"{tns}\" \
         elementFormDefault=\"qualified\""
    ));
    for (name, schema) in &model.definitions {
        xsd.named_type(out, name, schema);
    }
    if !faults.is_empty() {
        out.open("xs:complexType name=\"FaultDetail\"");
        xs_documentation(out, "The structured detail of a fault, when it has one.");
        out.open("xs:sequence");
        out.empty("xs:any minOccurs=\"0\" maxOccurs=\"unbounded\" processContents=\"lax\"");
        out.close("xs:sequence");
        out.close("xs:complexType");
    }
    for method in &model.methods {
        request_element(out, &xsd, method);
        if !method.descriptor.one_way {
            response_element(out, &xsd, method);
        }
    }
    for code in faults {
        out.empty(&format!(
            "xs:element name=\"{}\" type=\"tns:FaultDetail\"",
            fault_name(code)
        ));
    }
    out.close("xs:schema");
    out.close("wsdl:types");
}

/// The method's element: its parameters, from the call struct's schema
/// (which carries their constraints).
fn request_element(out: &mut Xml, xsd: &Xsd<'_>, method: &MethodModel) {
    let name = method.descriptor.name;
    out.open(&format!("xs:element name=\"{}\"", attr(name)));
    xs_documentation(out, &method.doc);
    out.open("xs:complexType");
    xsd.complex_content(out, &method.args);
    out.close("xs:complexType");
    out.close("xs:element");
}

/// `{method}Response` holding `{method}Result`.
fn response_element(out: &mut Xml, xsd: &Xsd<'_>, method: &MethodModel) {
    let name = method.descriptor.name;
    out.open(&format!("xs:element name=\"{}Response\"", attr(name)));
    out.open("xs:complexType");
    if method.returns_nothing() {
        out.empty("xs:sequence");
    } else {
        out.open("xs:sequence");
        xsd.element(
            out,
            &format!("{name}Result"),
            &method.result,
            Occurs::default(),
        );
        out.close("xs:sequence");
    }
    out.close("xs:complexType");
    out.close("xs:element");
}

fn messages(out: &mut Xml, model: &InterfaceModel, faults: &BTreeSet<&str>) {
    let mut message = |name: &str, element: &str| {
        out.open(&format!("wsdl:message name=\"{}\"", attr(name)));
        out.empty(&format!(
            "wsdl:part name=\"parameters\" element=\"tns:{}\"",
            attr(element)
        ));
        out.close("wsdl:message");
    };
    for method in &model.methods {
        let name = method.descriptor.name;
        message(name, name);
        if !method.descriptor.one_way {
            let response = format!("{name}Response");
            message(&response, &response);
        }
    }
    for code in faults {
        let name = fault_name(code);
        message(&name, &name);
    }
}

fn port_type(out: &mut Xml, model: &InterfaceModel, service: &str) {
    out.open(&format!("wsdl:portType name=\"{service}\""));
    for method in &model.methods {
        let name = attr(method.descriptor.name);
        out.open(&format!("wsdl:operation name=\"{name}\""));
        if !method.doc.is_empty() {
            out.text_element("wsdl:documentation", &method.doc);
        }
        out.empty(&format!("wsdl:input message=\"tns:{name}\""));
        if !method.descriptor.one_way {
            out.empty(&format!("wsdl:output message=\"tns:{name}Response\""));
            for code in sorted_throws(method) {
                out.empty(&format!(
                    "wsdl:fault name=\"{}\" message=\"tns:{}\"",
                    attr(&ncname(code)),
                    fault_name(code)
                ));
            }
        }
        out.close("wsdl:operation");
    }
    out.close("wsdl:portType");
}

fn binding(out: &mut Xml, model: &InterfaceModel, service: &str) {
    out.open(&format!(
        "wsdl:binding name=\"{service}Binding\" type=\"tns:{service}\""
    ));
    out.empty(&format!(
        "soap:binding style=\"document\" transport=\"{SOAP_HTTP}\""
    ));
    for method in &model.methods {
        let name = attr(method.descriptor.name);
        out.open(&format!("wsdl:operation name=\"{name}\""));
        out.empty(&format!(
            "soap:operation soapAction=\"{name}\" style=\"document\""
        ));
        out.open("wsdl:input");
        out.empty("soap:body use=\"literal\"");
        out.close("wsdl:input");
        if !method.descriptor.one_way {
            out.open("wsdl:output");
            out.empty("soap:body use=\"literal\"");
            out.close("wsdl:output");
            for code in sorted_throws(method) {
                let fault = attr(&ncname(code));
                out.open(&format!("wsdl:fault name=\"{fault}\""));
                out.empty(&format!("soap:fault name=\"{fault}\" use=\"literal\""));
                out.close("wsdl:fault");
            }
        }
        out.close("wsdl:operation");
    }
    out.close("wsdl:binding");
}

/// A method's declared fault codes, sorted and without repeats.
fn sorted_throws(method: &MethodModel) -> BTreeSet<&'static str> {
    method.descriptor.throws.iter().copied().collect()
}
