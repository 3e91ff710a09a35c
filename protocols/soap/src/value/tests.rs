//! Values through XML and back, and XML as other toolkits write it.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::de::ElementDe;
use super::ser::{ElementSer, Position};
use crate::xml::tree::Element;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Shape {
    Dot,
    Circle(f64),
    Rect { w: u16, h: u16 },
    Pair(i8, i8),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Everything {
    text: String,
    empty: String,
    ch: char,
    yes: bool,
    i8: i8,
    i16: i16,
    i32: i32,
    i64: i64,
    u8: u8,
    u16: u16,
    u32: u32,
    u64: u64,
    i128: i128,
    f32: f32,
    f64: f64,
    inf: f64,
    minus_inf: f64,
    some: Option<String>,
    none: Option<u32>,
    list: Vec<u32>,
    no_list: Vec<String>,
    nested: Vec<Vec<u8>>,
    optional_items: Vec<Option<i32>>,
    inner: Inner,
    inners: Vec<Inner>,
    shapes: Vec<Shape>,
    map: BTreeMap<String, i32>,
    #[serde(with = "bytes")]
    blob: Vec<u8>,
    when: String,
    unit: (),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Inner {
    name: String,
    at: Option<(u32, u32)>,
}

mod bytes {
    pub(super) fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }
    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        d.deserialize_byte_buf(Bytes)
    }
}

fn everything() -> Everything {
    Everything {
        text: "  <b>&amp;</b> \"q\" 'a' ]]> é 🎉\r\n\tend  ".to_owned(),
        empty: String::new(),
        ch: '<',
        yes: true,
        i8: i8::MIN,
        i16: i16::MAX,
        i32: i32::MIN,
        i64: i64::MIN,
        u8: u8::MAX,
        u16: u16::MAX,
        u32: u32::MAX,
        u64: u64::MAX,
        i128: i128::MIN,
        f32: 0.1,
        f64: -1.5e300,
        inf: f64::INFINITY,
        minus_inf: f64::NEG_INFINITY,
        some: Some(" ".to_owned()),
        none: None,
        list: vec![1, 2, 3],
        no_list: Vec::new(),
        nested: vec![vec![1, 2], vec![], vec![3]],
        optional_items: vec![Some(1), None, Some(-3)],
        inner: Inner {
            name: "in".to_owned(),
            at: Some((4, 5)),
        },
        inners: vec![
            Inner {
                name: "a".to_owned(),
                at: None,
            },
            Inner {
                name: "b".to_owned(),
                at: Some((0, 0)),
            },
        ],
        shapes: vec![
            Shape::Dot,
            Shape::Circle(2.5),
            Shape::Rect { w: 3, h: 4 },
            Shape::Pair(-1, 1),
        ],
        map: [("one".to_owned(), 1), ("two".to_owned(), 2)].into(),
        blob: vec![0, 1, 2, 254, 255],
        when: "2026-11-30T01:02:03.5Z".to_owned(),
        unit: (),
    }
}

fn write<T: Serialize>(value: &T) -> String {
    let mut out = Vec::new();
    value
        .serialize(ElementSer::new(&mut out, "root", Position::Item))
        .expect("serializes");
    // The envelope declares the prefixes in real messages.
    let out = String::from_utf8(out).expect("UTF-8");
    out.replacen(
        "<tns:root>",
        "<tns:root xmlns:tns=\"urn:t\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
        1,
    )
}

fn read<T: DeserializeOwned>(xml: &str) -> Result<T, super::ValueError> {
    let root = Element::parse(xml, 64).map_err(super::ValueError::new)?;
    T::deserialize(ElementDe(&root))
}

#[test]
fn every_kind_of_value_round_trips() {
    let value = everything();
    let xml = write(&value);
    let back: Everything = read(&xml).unwrap_or_else(|err| panic!("{err}\n{xml}"));
    assert_eq!(back, value, "{xml}");
    assert!(
        xml.contains("<tns:list>1</tns:list><tns:list>2</tns:list>"),
        "{xml}"
    );
    assert!(xml.contains("<tns:inf>INF</tns:inf>"), "{xml}");
    assert!(xml.contains("<tns:minus_inf>-INF</tns:minus_inf>"), "{xml}");
    // Fields in name order, the order of the WSDL's sequences.
    let inner =
        "<tns:inner><tns:at>4</tns:at><tns:at>5</tns:at><tns:name>in</tns:name></tns:inner>";
    assert!(xml.contains(inner), "{xml}");
    assert!(xml.contains("<tns:blob>AAEC/v8=</tns:blob>"), "{xml}");
    assert!(
        !xml.contains("no_list") && !xml.contains("<tns:none"),
        "{xml}"
    );
    assert!(
        xml.contains("<tns:optional_items xsi:nil=\"true\"/>"),
        "{xml}"
    );
}

#[test]
fn nan_round_trips() {
    let xml = write(&BTreeMap::from([("x", f64::NAN)]));
    assert!(xml.contains("<tns:x>NaN</tns:x>"), "{xml}");
    let back: BTreeMap<String, f64> = read(&xml).unwrap();
    assert!(back["x"].is_nan());
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Call {
    s: String,
    n: Option<i32>,
    flag: bool,
    items: Vec<u8>,
}

#[test]
fn reads_what_other_toolkits_send() -> Result<(), super::ValueError> {
    // Unqualified children, pretty-printed, CDATA and references.
    let xml = "<ns0:call xmlns:ns0=\"urn:x\">\n  <s><![CDATA[<raw>]]>&#x1F389;&lt;</s>\n  <n xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:nil=\"true\"/>\n  <flag>1</flag>\n  <items> 7 </items>\n</ns0:call>";
    let call: Call = read(xml)?;
    assert_eq!(
        call,
        Call {
            s: "<raw>🎉<".to_owned(),
            n: None,
            flag: true,
            items: vec![7],
        }
    );
    let qualified = "<a:call xmlns:a=\"urn:x\"><a:s/><a:flag>false</a:flag></a:call>";
    let call: Call = read(qualified)?;
    assert_eq!(
        (call.s.as_str(), call.flag, call.n, call.items.len()),
        ("", false, None, 0)
    );
    Ok(())
}

#[test]
fn refuses_what_does_not_fit() {
    let cases = [
        ("<c><s>x</s><flag>yes</flag></c>", "not a boolean"),
        (
            "<c><s>x</s><flag>true</flag><items>256</items></c>",
            "not a valid u8",
        ),
        (
            "<c><s>x</s><flag>true</flag><items>-1</items></c>",
            "not a valid u8",
        ),
        ("<c><flag>true</flag></c>", "missing field `s`"),
        ("<c><s>x</s><s>y</s><flag>true</flag></c>", "repeated"),
        (
            "<c><s>x</s><flag>true</flag><extra/></c>",
            "unknown field `extra`",
        ),
        ("<c><s><b/></s><flag>true</flag></c>", "holds elements"),
        (
            "<c><s>x</s><n>1.5</n><flag>true</flag></c>",
            "not a valid i32",
        ),
        ("<c>text</c>", "holds text"),
    ];
    for (xml, expected) in cases {
        let err = read::<Call>(xml).map(drop).expect_err(xml);
        assert!(err.to_string().contains(expected), "{xml}: {err}");
    }
}

#[test]
fn untyped_reads_infer_numbers_and_shapes() -> Result<(), super::ValueError> {
    let value: serde_json::Value =
        read("<r><a>1</a><b>-2.5</b><c>x1</c><d>1</d><d>2</d><e><f>t</f></e><g/></r>")?;
    assert_eq!(
        value,
        serde_json::json!({"a": 1, "b": -2.5, "c": "x1", "d": [1, 2], "e": {"f": "t"}, "g": ""})
    );
    Ok(())
}

#[test]
fn unrepresentable_text_and_keys_are_refused() {
    let mut out = Vec::new();
    let err = "a\u{0}b"
        .serialize(ElementSer::new(&mut out, "s", Position::Field))
        .expect_err("NUL cannot be written");
    assert!(err.to_string().contains("U+0000"), "{err}");
    let map = BTreeMap::from([("not a name", 1)]);
    assert!(
        map.serialize(ElementSer::new(&mut Vec::new(), "m", Position::Field))
            .is_err()
    );
}
