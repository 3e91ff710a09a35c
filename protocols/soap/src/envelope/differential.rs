//! The plain passes against the careful ones: for every truncation and
//! many one-byte changes of a set of requests, whatever the plain envelope
//! pass accepts the careful one accepts with the same result, and whatever
//! the plain tree reader accepts quick-xml reads into the same tree.
//! (The other way round is not asked: the plain passes leave much to the
//! careful ones.)

use switchboard::Limits;

use super::{Scanned, careful, plain};
use crate::settings::SoapSettings;
use crate::xml::tree::Element;

const REQUESTS: [&str; 8] = [
    concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="urn:switchboard">"#,
        r#"<soap:Body><tns:echo><tns:s>hello, world</tns:s></tns:echo></soap:Body></soap:Envelope>"#
    ),
    concat!(
        "<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'>\n <s:Header>\n",
        "  <h:Auth xmlns:h=\"urn:h\" s:mustUnderstand=\"1\" s:actor=\"http://schemas.xmlsoap.org/soap/actor/next\">k</h:Auth>\n",
        "  <Trace s:mustUnderstand='0'/>\n </s:Header>\n",
        " <s:Body><add xmlns=\"urn:switchboard\"><a>1</a><b>-2</b></add></s:Body>\n</s:Envelope>\n"
    ),
    concat!(
        r#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:x="http://www.w3.org/2001/XMLSchema-instance">"#,
        r#"<e:Body><t:put xmlns:t="urn:switchboard"><t:v>&lt;&amp;&gt;&quot;&apos;&#233;&#x1F600;</t:v>"#,
        r#"<t:n x:nil="true"/><t:c><![CDATA[<b>]]]></t:c><t:l>1</t:l><t:l>2</t:l>"#,
        r#"<t:p><t:x>3</t:x><t:y>4</t:y></t:p></t:put></e:Body></e:Envelope>"#
    ),
    concat!(
        r#"<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body>"#,
        r#"<ping xmlns=""/></Body></Envelope>"#
    ),
    concat!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header/>"#,
        r#"<soap:Body><tns:echo xmlns:tns="urn:switchboard"><tns:s>  ü ß 中 </tns:s></tns:echo></soap:Body></soap:Envelope>"#
    ),
    concat!(
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>"#,
        r#"<tns:a xmlns:tns="urn:switchboard"><tns:b><tns:c><tns:d>x</tns:d></tns:c></tns:b></tns:a></soap:Body></soap:Envelope>"#
    ),
    // Prefixes declared at every depth, attributes on deep elements, and
    // characters whose UTF-8 starts with EF, the lead byte of U+FFFE/U+FFFF.
    concat!(
        "<?xml version='1.0' encoding='Utf-8' standalone='no'?><s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/' xmlns:t='urn:switchboard'>",
        "<s:Body><t:put xml:lang='en'><t:v t:a='1' b=\"2\">x\u{FFFD}\u{F900}</t:v><t:w><t:x xmlns:t='urn:other' xmlns:u='urn:u'>",
        "<u:y u:z='3' t:q='4'/></t:x><t:x/></t:w></t:put></s:Body></s:Envelope>"
    ),
    // Pretty-printed on Windows: CRLF line ends, in text and CDATA too.
    concat!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<soap:Envelope\r\n xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\r\n",
        "  <soap:Body>\r\n    <echo xmlns=\"urn:switchboard\">\r\n      <s>one\r\ntwo\rthree&#13;<![CDATA[\r\n]]></s>\r\n",
        "    </echo>\r\n  </soap:Body>\r\n</soap:Envelope>\r\n"
    ),
];

/// Bytes that change the meaning of XML where they land.
const SUBSTITUTES: &[u8] = b"<>&;/:=\"' \r\n\0\x01]![?-xa#";

/// Every document checked: the requests, each truncated at every byte, and
/// each with every byte replaced by each substitute (kept if still UTF-8).
fn variants() -> impl Iterator<Item = String> {
    REQUESTS.iter().flat_map(|request| {
        let bytes = request.as_bytes();
        let truncated = (0..bytes.len()).map(move |end| bytes[..end].to_vec());
        let changed = (0..bytes.len()).flat_map(move |at| {
            SUBSTITUTES.iter().map(move |&b| {
                let mut changed = bytes.to_vec();
                changed[at] = b;
                changed
            })
        });
        std::iter::once(bytes.to_vec())
            .chain(truncated)
            .chain(changed)
            .filter_map(|bytes| String::from_utf8(bytes).ok())
    })
}

#[test]
fn the_plain_envelope_pass_accepts_only_what_the_careful_one_reads_alike() {
    let settings = SoapSettings::default();
    let limits = Limits::default();
    for request in REQUESTS {
        assert!(plain::scan(request, None, 6).is_some(), "{request}");
    }
    let mut accepted = 0;
    for text in variants() {
        for settings in [Some(&settings), None] {
            let Some(plain) = plain::scan(&text, settings, 6) else {
                continue;
            };
            accepted += 1;
            let limits = Limits {
                max_depth: 6,
                ..limits
            };
            match careful::scan(&text, settings, &limits) {
                Ok(Scanned::Call(careful)) => assert_eq!(plain, careful, "{text}"),
                other => panic!("plain read {text:?} as {plain:?}, careful as {other:?}"),
            }
        }
    }
    // The requests and many harmless changes go the plain way.
    assert!(accepted > 2_000, "{accepted}");
}

#[test]
fn the_plain_tree_reader_accepts_only_what_quick_xml_reads_alike() {
    let mut accepted = 0;
    for text in variants() {
        let Ok(plain) = Element::parse_plain(&text, 5) else {
            continue;
        };
        accepted += 1;
        match Element::parse_careful(&text, 5) {
            Ok(careful) => assert_eq!(plain, careful, "{text}"),
            Err(err) => panic!("plain read {text:?} as {plain:?}, quick-xml refused: {err}"),
        }
    }
    assert!(accepted > 2_000, "{accepted}");
}
