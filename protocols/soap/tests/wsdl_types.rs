//! How the WSDL's schema describes each kind of type, through a service
//! with enums, nested lists, optional and constrained values, timestamps
//! and bytes; and that such values travel through SOAP as the schema says.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard::local::LocalClient;
use switchboard::{Application, Client, Fault, Server, rpc};
use switchboard_soap::{Soap, SoapSettings, wsdl};

/// A colour of the rainbow's start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub enum Colour {
    /// Red.
    Red,
    /// Green.
    Green,
}

/// A drawing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Drawing {
    /// Its colour.
    pub colour: Colour,
    /// Rows of cells.
    pub grid: Vec<Vec<u8>>,
    /// When it was made (RFC 3339).
    #[schemars(extend("format" = "date-time"))]
    pub made: String,
    /// A caption, if any.
    pub caption: Option<String>,
    /// Its thumbnail.
    #[schemars(extend("contentEncoding" = "base64"))]
    pub thumbnail: String,
}

/// Draws a picture named `name`, `size` cells wide.
#[rpc(service = "drawings", throws = ["Client.Validation"])]
fn draw(
    #[schemars(regex(pattern = "^[a-z]+$"), length(min = 1, max = 8))] name: String,
    #[schemars(range(min = 1, max = 16))] size: u8,
    colour: Option<Colour>,
) -> Result<Drawing, Fault> {
    Ok(Drawing {
        colour: colour.unwrap_or(Colour::Green),
        grid: vec![vec![size; 2], Vec::new()],
        made: "2026-11-30T01:02:03Z".to_owned(),
        caption: (name != "plain").then(|| format!("{name} <draft>")),
        thumbnail: "AAEC".to_owned(),
    })
}

fn app() -> Result<Application, switchboard::BuildError> {
    Application::builder().services(["drawings"]).build()
}

#[test]
fn the_schema_says_what_each_type_is() -> Result<(), Box<dyn std::error::Error>> {
    let document = wsdl(&app()?, &SoapSettings::default(), "http://h/soap");
    let expect = |snippet: &str| assert!(document.contains(snippet), "no {snippet} in\n{document}");
    // A string enum is an enumeration.
    expect(r#"<xs:simpleType name="Colour">"#);
    expect(r#"<xs:enumeration value="Red"/>"#);
    // A list of lists: the field repeated, each holding `item`s.
    expect(r#"<xs:element name="grid" minOccurs="0" maxOccurs="unbounded">"#);
    expect(
        r#"<xs:element name="item" minOccurs="0" maxOccurs="unbounded" type="xs:unsignedByte"/>"#,
    );
    // Timestamps, bytes, optional values.
    expect(r#"<xs:element name="made" type="xs:dateTime">"#);
    expect(r#"<xs:element name="thumbnail" type="xs:base64Binary">"#);
    expect(r#"<xs:element name="caption" minOccurs="0" nillable="true" type="xs:string">"#);
    expect(r#"<xs:element name="colour" minOccurs="0" nillable="true" type="tns:Colour">"#);
    // Constraints as facets.
    expect(r#"<xs:pattern value="[a-z]+"/>"#);
    expect(r#"<xs:minLength value="1"/>"#);
    expect(r#"<xs:maxLength value="8"/>"#);
    expect(r#"<xs:minInclusive value="1"/>"#);
    expect(r#"<xs:maxInclusive value="16"/>"#);
    // Docs and declared faults.
    expect(
        "<wsdl:documentation>Draws a picture named `name`, `size` cells wide.</wsdl:documentation>",
    );
    expect(r#"<wsdl:fault name="Client.Validation" message="tns:Client.ValidationFault"/>"#);
    Ok(())
}

#[tokio::test]
async fn such_values_travel_as_the_schema_says() -> Result<(), Box<dyn std::error::Error>> {
    let server = Server::new(app()?, Soap::new());
    let client = Client::new(Arc::new(LocalClient::direct(server)), Arc::new(Soap::new()));
    let drawing = client
        .call(Draw {
            name: "sun".to_owned(),
            size: 3,
            colour: Some(Colour::Red),
        })
        .await?;
    assert_eq!(
        drawing,
        Drawing {
            colour: Colour::Red,
            grid: vec![vec![3, 3], Vec::new()],
            made: "2026-11-30T01:02:03Z".to_owned(),
            caption: Some("sun <draft>".to_owned()),
            thumbnail: "AAEC".to_owned(),
        }
    );
    let plain = client
        .call(Draw {
            name: "plain".to_owned(),
            size: 1,
            colour: None,
        })
        .await?;
    assert_eq!((plain.caption, plain.colour), (None, Colour::Green));
    // The constraints the schema states are the ones enforced.
    let refused = client
        .call(Draw {
            name: "Sun".to_owned(),
            size: 17,
            colour: None,
        })
        .await
        .map(drop)
        .unwrap_err();
    assert_eq!(refused.fault().map(Fault::code), Some("Client.Validation"));
    Ok(())
}
