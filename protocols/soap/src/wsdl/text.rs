//! An indented XML text builder for the WSDL: deterministic output, one
//! element per line.

/// XML text being written, with its current indentation.
#[derive(Debug, Default)]
pub(super) struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// Appends a raw line (the XML declaration).
    pub(super) fn raw(&mut self, text: &str) {
        self.line(text);
    }

    /// `<head>` (an element name with its attributes), one level deeper.
    pub(super) fn open(&mut self, head: &str) {
        self.line(&format!("<{head}>"));
        self.depth += 1;
    }

    /// `</name>`, one level up.
    pub(super) fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.line(&format!("</{name}>"));
    }

    /// `<head/>`.
    pub(super) fn empty(&mut self, head: &str) {
        self.line(&format!("<{head}/>"));
    }

    /// `<name>text</name>`, the text escaped.
    pub(super) fn text_element(&mut self, name: &str, text: &str) {
        let mut escaped = Vec::new();
        if crate::xml::escape::text(&mut escaped, text).is_err() {
            let kept: String = text
                .chars()
                .filter(|c| crate::xml::chars::is_xml_char(*c))
                .collect();
            escaped.clear();
            // Only characters XML carries are left.
            let _ = crate::xml::escape::text(&mut escaped, &kept);
        }
        let escaped = String::from_utf8_lossy(&escaped);
        self.line(&format!("<{name}>{escaped}</{name}>"));
    }

    /// The text written.
    pub(super) fn finish(self) -> String {
        self.out
    }
}

/// `value` escaped for a double-quoted attribute.
pub(super) fn attr(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '"' => out.push_str("&quot;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if crate::xml::chars::is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// `name` as an XML name: characters a name cannot hold become `_`.
pub(super) fn ncname(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}
