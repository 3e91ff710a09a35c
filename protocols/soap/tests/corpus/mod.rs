//! A corpus of SOAP requests for the reader's strictness: documents XML
//! 1.0 (fifth edition) or Namespaces in XML 1.0 say are not well-formed,
//! or that declare an encoding this reader does not decode, each refused
//! with a client fault; envelopes outside SOAP 1.1's namespace, refused
//! with `VersionMismatch`; and well-formed documents that look odd, each
//! read. Every one is an `echo` call of the demo service, so that only its
//! one flaw can make it fail.
//!
//! Shared by the crate's tests (`tests/not_well_formed.rs`, through the
//! whole protocol) and by the unit tests of its two reading passes
//! (`src/envelope/strictness.rs` includes this file by path), so each pass
//! is shown to refuse every document on its own.

#![allow(dead_code)]

/// The SOAP 1.1 envelope namespace.
pub(crate) const SOAP11: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// The fault code of a document that is not well-formed.
pub(crate) const MALFORMED: &str = "Client.Malformed";

/// A request that must be refused.
#[derive(Debug)]
pub(crate) struct Refused {
    /// What is wrong with it.
    pub(crate) name: &'static str,
    /// The request body.
    pub(crate) bytes: Vec<u8>,
    /// The fault code it gets.
    pub(crate) code: &'static str,
    /// Text the fault's message holds (`""`: anything).
    pub(crate) mentions: &'static str,
}

/// A request that must be read: `echo` answers `echoed`.
#[derive(Debug)]
pub(crate) struct Accepted {
    /// What is odd about it.
    pub(crate) name: &'static str,
    /// The request body.
    pub(crate) bytes: Vec<u8>,
    /// The string `echo` receives and returns.
    pub(crate) echoed: &'static str,
}

/// A SOAP 1.1 envelope around `body`, with `tns` declared on it.
pub(crate) fn envelope(body: &str) -> String {
    format!(
        "<soap:Envelope xmlns:soap=\"{SOAP11}\" xmlns:tns=\"urn:switchboard\">\
         <soap:Body>{body}</soap:Body></soap:Envelope>"
    )
}

/// An `echo` call whose parameter's content is `s`.
pub(crate) fn echo(s: &str) -> String {
    envelope(&format!("<tns:echo><tns:s>{s}</tns:s></tns:echo>"))
}

/// An `echo` call of `hi` whose parameter's start tag has `attributes`.
fn echo_with(attributes: &str) -> String {
    envelope(&format!(
        "<tns:echo><tns:s {attributes}>hi</tns:s></tns:echo>"
    ))
}

/// An `echo` call of `hi` with a header holding `header`.
fn with_header(header: &str) -> String {
    format!(
        "<soap:Envelope xmlns:soap=\"{SOAP11}\" xmlns:tns=\"urn:switchboard\">\
         <soap:Header>{header}</soap:Header>\
         <soap:Body><tns:echo><tns:s>hi</tns:s></tns:echo></soap:Body></soap:Envelope>"
    )
}

/// `text` in UTF-16, little-endian or big-endian, with or without a byte
/// order mark.
fn utf16(text: &str, little: bool, bom: bool) -> Vec<u8> {
    let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
    units
        .flat_map(|unit| {
            if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            }
        })
        .collect()
}

/// An `echo` call of `s` with its `|` replaced by `bytes`.
fn spliced(s: &str, bytes: &[u8]) -> Vec<u8> {
    let mut text = echo(s).into_bytes();
    let at = text.iter().position(|&b| b == b'|').unwrap_or(text.len());
    text.splice(at..(at + 1).min(text.len()), bytes.iter().copied());
    text
}

fn refused(
    name: &'static str,
    text: String,
    code: &'static str,
    mentions: &'static str,
) -> Refused {
    Refused {
        name,
        bytes: text.into_bytes(),
        code,
        mentions,
    }
}

fn malformed(name: &'static str, text: String) -> Refused {
    refused(name, text, MALFORMED, "")
}

/// Characters XML 1.0 forbids (its `Char` production), raw or as
/// references, wherever they appear.
pub(crate) fn forbidden_characters() -> Vec<Refused> {
    let mut cases = vec![
        malformed("U+0001 in text", echo("a\u{1}b")),
        malformed("U+0000 in text", echo("a\u{0}b")),
        malformed("U+001F in text", echo("\u{1F}")),
        malformed(
            "U+0001 in a header block",
            with_header("<h:T xmlns:h=\"urn:h\">\u{1}</h:T>"),
        ),
        malformed(
            "U+0001 between elements",
            envelope("\u{1}<tns:echo><tns:s>hi</tns:s></tns:echo>"),
        ),
        malformed(
            "U+0001 in a parameter's attribute",
            echo_with("a=\"x\u{1}\""),
        ),
        malformed(
            "U+0001 in the call's attribute",
            envelope("<tns:echo a=\"\u{1}\"><tns:s>hi</tns:s></tns:echo>"),
        ),
        malformed(
            "U+0001 in the envelope's attribute",
            echo("hi").replacen("<soap:Envelope ", "<soap:Envelope a=\"\u{1}\" ", 1),
        ),
        malformed("U+0001 in CDATA", echo("<![CDATA[\u{1}]]>")),
        malformed("U+0001 in a comment", echo("hi<!--\u{1}-->")),
        malformed("U+0001 in a processing instruction", echo("hi<?pi \u{1}?>")),
        malformed("U+FFFE in text", echo("a\u{FFFE}")),
        malformed("U+FFFF in text", echo("\u{FFFF}b")),
        malformed("U+FFFF in an attribute", echo_with("a=\"\u{FFFF}\"")),
        malformed("U+FFFE in CDATA", echo("<![CDATA[\u{FFFE}]]>")),
        malformed("U+FFFF in a comment", echo("hi<!-- \u{FFFF} -->")),
        malformed(
            "U+0001 in a SOAP 1.2 envelope",
            echo("\u{1}").replace(SOAP11, "http://www.w3.org/2003/05/soap-envelope"),
        ),
    ];
    for reference in [
        "&#1;",
        "&#x1;",
        "&#0;",
        "&#x1F;",
        "&#xFFFE;",
        "&#xFFFF;",
        "&#65535;",
        "&#xD800;",
        "&#xDFFF;",
        "&#55296;",
        "&#x110000;",
        "&#x;",
        "&#;",
        "&#x-1;",
    ] {
        cases.push(malformed(
            "a reference to no character in text",
            echo(reference),
        ));
        cases.push(malformed(
            "a reference to no character in an attribute",
            echo_with(&format!("a=\"{reference}\"")),
        ));
    }
    cases.push(malformed(
        "a reference to no character in a header block's attribute",
        with_header("<h:T xmlns:h=\"urn:h\" soap:mustUnderstand=\"&#1;\">t</h:T>"),
    ));
    cases
}

/// Prefixes used but never declared, and other breaches of Namespaces in
/// XML 1.0.
pub(crate) fn namespace_errors() -> Vec<Refused> {
    let undeclared = |name, text| refused(name, text, MALFORMED, "`foo`");
    vec![
        undeclared(
            "an undeclared prefix on the envelope",
            format!(
                "<foo:Envelope xmlns:soap=\"{SOAP11}\"><soap:Body><echo><s>hi</s></echo></soap:Body></foo:Envelope>"
            ),
        ),
        undeclared(
            "an undeclared prefix on the body",
            format!(
                "<soap:Envelope xmlns:soap=\"{SOAP11}\"><foo:Body><echo><s>hi</s></echo></foo:Body></soap:Envelope>"
            ),
        ),
        undeclared(
            "an undeclared prefix on the call",
            envelope("<foo:echo><tns:s>hi</tns:s></foo:echo>"),
        ),
        undeclared(
            "an undeclared prefix on a parameter",
            envelope("<tns:echo><foo:s>hi</foo:s></tns:echo>"),
        ),
        undeclared(
            "an undeclared prefix deep in a header block",
            with_header("<h:T xmlns:h=\"urn:h\"><h:a><foo:b>1</foo:b></h:a></h:T>"),
        ),
        undeclared(
            "an undeclared prefix on a header block",
            with_header("<foo:T>1</foo:T>"),
        ),
        undeclared(
            "an undeclared attribute prefix on a parameter",
            echo_with("foo:a=\"1\""),
        ),
        undeclared(
            "an undeclared attribute prefix on the call",
            envelope("<tns:echo foo:a=\"1\"><tns:s>hi</tns:s></tns:echo>"),
        ),
        undeclared(
            "an undeclared attribute prefix on the envelope",
            echo("hi").replacen("<soap:Envelope ", "<soap:Envelope foo:a=\"1\" ", 1),
        ),
        undeclared(
            "an undeclared attribute prefix on a header block",
            with_header("<h:T xmlns:h=\"urn:h\" foo:mustUnderstand=\"1\">t</h:T>"),
        ),
        undeclared(
            "a prefix used after the element declaring it closed",
            envelope("<tns:echo><foo:x xmlns:foo=\"urn:a\"/><foo:s>hi</foo:s></tns:echo>"),
        ),
        undeclared(
            "a prefix undeclared with xmlns:foo=\"\"",
            envelope("<tns:echo xmlns:foo=\"\"><tns:s>hi</tns:s></tns:echo>"),
        ),
        malformed(
            "the prefix xmlns on an element",
            envelope("<tns:echo><xmlns:s>hi</xmlns:s></tns:echo>"),
        ),
        malformed(
            "the xml namespace as the default namespace",
            envelope(
                "<tns:echo><s xmlns=\"http://www.w3.org/XML/1998/namespace\">hi</s></tns:echo>",
            ),
        ),
        malformed(
            "a prefix bound to the xmlns namespace",
            envelope(
                "<tns:echo xmlns:p=\"http://www.w3.org/2000/xmlns/\"><tns:s>hi</tns:s></tns:echo>",
            ),
        ),
        malformed(
            "the prefix xml bound elsewhere",
            echo_with("xmlns:xml=\"urn:x\""),
        ),
        malformed(
            "two attributes of one expanded name",
            echo_with("xmlns:p=\"urn:p\" xmlns:q=\"urn:p\" p:a=\"1\" q:a=\"2\""),
        ),
        malformed(
            "a name starting with a colon",
            envelope("<tns:echo><:s>hi</:s></tns:echo>"),
        ),
        malformed(
            "a name with two colons",
            envelope("<tns:echo><tns:s:x>hi</tns:s:x></tns:echo>"),
        ),
        malformed(
            "an attribute name ending with a colon",
            echo_with("tns:=\"1\""),
        ),
    ]
}

/// XML declarations anywhere but at the very start, or not as XML 1.0
/// writes them.
pub(crate) fn misplaced_declarations() -> Vec<Refused> {
    let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
    let doc = echo("hi");
    vec![
        malformed(
            "a declaration after a space",
            format!(" {declaration}{doc}"),
        ),
        malformed(
            "a declaration after a newline",
            format!("\n{declaration}{doc}"),
        ),
        malformed(
            "a declaration after a byte order mark and a tab",
            format!("\u{FEFF}\t{declaration}{doc}"),
        ),
        malformed(
            "a second declaration",
            format!("{declaration}{declaration}{doc}"),
        ),
        malformed(
            "a declaration after the root",
            format!("{doc}{declaration}"),
        ),
        malformed(
            "a declaration in the call",
            echo(&format!("hi{declaration}")),
        ),
        malformed("a declaration in the header", with_header(declaration)),
        malformed(
            "a processing instruction named XML",
            format!("<?XML version=\"1.0\"?>{doc}"),
        ),
        malformed(
            "a processing instruction named xMl in the call",
            echo("hi<?xMl x?>"),
        ),
        malformed("a declaration with nothing in it", format!("<?xml?>{doc}")),
        malformed(
            "a declaration without a version",
            format!("<?xml encoding=\"UTF-8\"?>{doc}"),
        ),
        malformed(
            "a declaration of version 2.0",
            format!("<?xml version=\"2.0\"?>{doc}"),
        ),
        malformed(
            "a declaration with the encoding first",
            format!("<?xml encoding=\"UTF-8\" version=\"1.0\"?>{doc}"),
        ),
        malformed(
            "a declaration with mismatched quotes",
            format!("<?xml version=\"1.0'?>{doc}"),
        ),
        malformed(
            "a declaration with standalone=maybe",
            format!("<?xml version=\"1.0\" standalone=\"maybe\"?>{doc}"),
        ),
        malformed(
            "a declaration with an unknown pseudo-attribute",
            format!("<?xml version=\"1.0\" charset=\"UTF-8\"?>{doc}"),
        ),
        malformed(
            "a declaration without a space before encoding",
            format!("<?xml version=\"1.0\"encoding=\"UTF-8\"?>{doc}"),
        ),
        malformed(
            "a declaration with an empty encoding",
            format!("<?xml version=\"1.0\" encoding=\"\"?>{doc}"),
        ),
        malformed(
            "a declaration never closed",
            format!("<?xml version=\"1.0\"{doc}"),
        ),
    ]
}

/// Encodings this reader does not decode: declared, or shown by a byte
/// order mark or the first bytes.
pub(crate) fn unread_encodings() -> Vec<Refused> {
    let declared = |name: &'static str| {
        refused(
            "a declared encoding other than UTF-8",
            format!("<?xml version=\"1.0\" encoding=\"{name}\"?>{}", echo("hi")),
            MALFORMED,
            name,
        )
    };
    let doc = format!("<?xml version=\"1.0\" encoding=\"UTF-16\"?>{}", echo("hi"));
    let bytes = |name, bytes, mentions| Refused {
        name,
        bytes,
        code: MALFORMED,
        mentions,
    };
    vec![
        declared("ISO-8859-1"),
        declared("latin1"),
        declared("windows-1252"),
        declared("UTF-16"),
        declared("utf-16le"),
        declared("UTF-32"),
        declared("x-made-up"),
        refused(
            "US-ASCII declared over bytes outside it",
            format!(
                "<?xml version=\"1.0\" encoding=\"US-ASCII\"?>{}",
                echo("caf\u{E9}")
            ),
            MALFORMED,
            "US-ASCII",
        ),
        bytes(
            "UTF-16LE with a byte order mark",
            utf16(&doc, true, true),
            "UTF-16",
        ),
        bytes(
            "UTF-16BE with a byte order mark",
            utf16(&doc, false, true),
            "UTF-16",
        ),
        bytes(
            "UTF-16LE without a byte order mark",
            utf16(&doc, true, false),
            "UTF-16",
        ),
        bytes(
            "UTF-16BE without a byte order mark",
            utf16(&doc, false, false),
            "UTF-16",
        ),
        bytes(
            "UTF-32LE with a byte order mark",
            [0xFF, 0xFE, 0, 0]
                .into_iter()
                .chain(doc.bytes().flat_map(|b| [b, 0, 0, 0]))
                .collect(),
            "UTF-32",
        ),
        bytes(
            "Latin-1 bytes without a declaration",
            spliced("caf|", &[0xE9]),
            "",
        ),
        bytes(
            "a surrogate's bytes (U+D800)",
            spliced("|", &[0xED, 0xA0, 0x80]),
            "",
        ),
    ]
}

/// Other markup quick-xml reads without a word, which XML 1.0 forbids.
pub(crate) fn other_markup() -> Vec<Refused> {
    vec![
        malformed("]]> in text", echo("a]]>b")),
        malformed("-- in a comment", echo("hi<!-- a -- b -->")),
        malformed("a comment ending in --->", echo("hi<!-- a --->")),
        malformed(
            "an element name starting with a digit",
            envelope("<tns:echo><tns:s>hi</tns:s><tns:1s/></tns:echo>"),
        ),
        malformed(
            "an attribute name starting with a digit",
            echo_with("1a=\"x\""),
        ),
        malformed(
            "attributes with no space between them",
            echo_with("a=\"1\"b=\"2\""),
        ),
        malformed("an attribute without a value", echo_with("a")),
        malformed("an attribute given twice", echo_with("a=\"1\" a=\"2\"")),
        malformed(
            "an attribute given twice on the call",
            envelope("<tns:echo a=\"1\" a=\"1\"><tns:s>hi</tns:s></tns:echo>"),
        ),
        malformed("< in an attribute value", echo_with("a=\"<\"")),
        malformed("a bare & in an attribute value", echo_with("a=\"x & y\"")),
        refused(
            "an undefined entity in an attribute value",
            echo_with("a=\"&foo;\""),
            "Client.InvalidRequest",
            "",
        ),
        malformed(
            "a processing instruction target that is no name",
            echo("hi<?1pi x?>"),
        ),
        malformed("text after the root", format!("{}x", echo("hi"))),
    ]
}

/// Every request that must be refused with a client fault.
pub(crate) fn not_well_formed() -> Vec<Refused> {
    let mut all = forbidden_characters();
    all.extend(namespace_errors());
    all.extend(misplaced_declarations());
    all.extend(unread_encodings());
    all.extend(other_markup());
    all
}

/// Envelopes that SOAP 1.1 (§4.4.1) answers with `VersionMismatch`.
pub(crate) fn other_versions() -> Vec<Refused> {
    let call = "<Body><echo><s>hi</s></echo></Body>";
    let mismatch = |name, text| refused(name, text, "VersionMismatch", "");
    vec![
        mismatch(
            "a SOAP 1.2 envelope",
            echo("hi").replace(SOAP11, "http://www.w3.org/2003/05/soap-envelope"),
        ),
        mismatch(
            "an envelope in no namespace",
            format!("<Envelope>{call}</Envelope>"),
        ),
        mismatch(
            "an envelope in another namespace",
            "<e:Envelope xmlns:e=\"urn:not-soap\"><e:Body><echo><s>hi</s></echo></e:Body></e:Envelope>"
                .to_owned(),
        ),
        mismatch(
            "an envelope in a namespace one slash short of SOAP 1.1's",
            format!(
                "<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope\">{call}</Envelope>"
            ),
        ),
    ]
}

fn accepted(name: &'static str, text: String, echoed: &'static str) -> Accepted {
    Accepted {
        name,
        bytes: text.into_bytes(),
        echoed,
    }
}

/// Well-formed documents that look odd, which must be read.
pub(crate) fn well_formed() -> Vec<Accepted> {
    let doc = echo("hi");
    let declared = |declaration: &str| format!("{declaration}{doc}");
    vec![
        accepted("CDATA", echo("<![CDATA[<a & b>]]>"), "<a & b>"),
        accepted(
            "CDATA holding ]]>, split",
            echo("<![CDATA[]]]]><![CDATA[>]]>"),
            "]]>",
        ),
        accepted("]] and ]> in text", echo("a]]b]>c"), "a]]b]>c"),
        accepted(
            "references to characters XML allows",
            echo(
                "&#9;&#xA;&#32;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;&#65;&#x00041;&lt;&gt;&amp;&quot;&apos;",
            ),
            "\t\n \u{D7FF}\u{E000}\u{FFFD}\u{10000}\u{10FFFF}AA<>&\"'",
        ),
        accepted(
            "a carriage return by reference",
            echo("a&#13;b&#xD;"),
            "a\rb\r",
        ),
        accepted(
            "characters at the edges of XML's range, and others led by the byte EF",
            echo("\u{D7FF}\u{E000}\u{F900}\u{FEFF}\u{FFFD}\u{10000}\u{10FFFF}"),
            "\u{D7FF}\u{E000}\u{F900}\u{FEFF}\u{FFFD}\u{10000}\u{10FFFF}",
        ),
        accepted("line ends and tabs", echo("a\r\nb\tc\rd"), "a\nb\tc\nd"),
        accepted(
            "another prefix for the envelope",
            format!(
                "<e:Envelope xmlns:e=\"{SOAP11}\"><e:Body><t:echo xmlns:t=\"urn:switchboard\"><t:s>hi</t:s></t:echo></e:Body></e:Envelope>"
            ),
            "hi",
        ),
        accepted(
            "default namespaces",
            format!(
                "<Envelope xmlns=\"{SOAP11}\"><Body><echo xmlns=\"urn:switchboard\"><s>hi</s></echo></Body></Envelope>"
            ),
            "hi",
        ),
        accepted(
            "a default namespace undeclared for a parameter",
            envelope("<echo xmlns=\"urn:switchboard\"><s xmlns=\"\">hi</s></echo>"),
            "hi",
        ),
        accepted(
            "a prefix bound again in a nested scope",
            format!(
                "<soap:Envelope xmlns:soap=\"{SOAP11}\" xmlns:p=\"urn:other\"><soap:Body>\
                 <p:echo xmlns:p=\"urn:switchboard\"><p:s>hi</p:s></p:echo></soap:Body></soap:Envelope>"
            ),
            "hi",
        ),
        accepted(
            "the xml prefix, declared by XML itself",
            echo_with("xml:lang=\"en\""),
            "hi",
        ),
        accepted(
            "the xml prefix declared as XML declares it",
            echo_with("xmlns:xml=\"http://www.w3.org/XML/1998/namespace\""),
            "hi",
        ),
        accepted(
            "an attribute before the declaration of its prefix",
            echo_with("p:a=\"1\" xmlns:p=\"urn:p\""),
            "hi",
        ),
        accepted(
            "one local name in two namespaces",
            echo_with("xmlns:p=\"urn:p\" xmlns:q=\"urn:q\" p:a=\"1\" q:a=\"2\" a=\"3\""),
            "hi",
        ),
        accepted(
            "references, quotes and > in attribute values",
            echo_with("a=\"&lt;&#65;&quot;&#x20AC;\" b='\"' c=\"'>'\" d=\"tab\tnew\nline\""),
            "hi",
        ),
        accepted(
            "a header block with its own prefix",
            with_header("<h:T xmlns:h=\"urn:h\" soap:mustUnderstand=\"&#48;\"><h:v>1</h:v></h:T>"),
            "hi",
        ),
        accepted(
            "encoding=\"UTF-8\"",
            declared("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "hi",
        ),
        accepted(
            "encoding=\"utf-8\"",
            declared("<?xml version=\"1.0\" encoding=\"utf-8\"?>"),
            "hi",
        ),
        accepted(
            "encoding='Utf-8'",
            declared("<?xml version='1.0' encoding='Utf-8'?>"),
            "hi",
        ),
        accepted(
            "encoding=\"US-ASCII\"",
            declared("<?xml version=\"1.0\" encoding=\"US-ASCII\"?>"),
            "hi",
        ),
        accepted(
            "encoding=\"us-ascii\"",
            declared("<?xml version=\"1.0\" encoding=\"us-ascii\"?>"),
            "hi",
        ),
        accepted("no encoding", declared("<?xml version=\"1.0\"?>"), "hi"),
        accepted(
            "version 1.1, read as 1.0",
            declared("<?xml version=\"1.1\"?>"),
            "hi",
        ),
        accepted(
            "a declaration spaced out, standalone",
            declared("<?xml version = '1.0' encoding = 'UTF-8' standalone = 'yes' ?>"),
            "hi",
        ),
        accepted(
            "a byte order mark, then a declaration",
            declared("\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "hi",
        ),
        accepted("a byte order mark alone", declared("\u{FEFF}"), "hi"),
        accepted("white space before the root", declared("\n \t\r\n"), "hi"),
        accepted(
            "comments and processing instructions around the root",
            format!(
                "<?xml version=\"1.0\"?>\n<!-- c --><?xml-stylesheet href=\"a\"?>{doc}<!-- - -->\n"
            ),
            "hi",
        ),
        accepted(
            "a comment and an instruction in text",
            echo("a<!-- c -->b<?pi data?>c"),
            "abc",
        ),
    ]
}
