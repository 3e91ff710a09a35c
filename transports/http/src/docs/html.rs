//! Writing HTML safely: every text that comes from a doc comment, a
//! schema or a name goes through [`escape`] before it reaches the page.

use std::fmt::Write;

/// `text` with `&`, `<`, `>`, `"` and `'` replaced by entities, so that
/// it reads as text in an element or an attribute value.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A doc comment as paragraphs: blank lines split them, and `code` spans
/// become `<code>`. Escaped first, so nothing in it is markup.
pub(super) fn doc(text: &str) -> String {
    let mut out = String::new();
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let _ = write!(out, "<p>{}</p>", code_spans(&escape(paragraph)));
    }
    out
}

/// Turns `` `x` `` into `<code>x</code>` in already escaped text (a
/// backtick is not special in HTML, so escaping left them as they were).
fn code_spans(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut parts = escaped.split('`');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    let rest: Vec<&str> = parts.collect();
    // An odd number of backticks leaves the last one as it is.
    let pairs = rest.len() / 2 * 2;
    for (i, part) in rest.iter().enumerate() {
        if i >= pairs {
            out.push('`');
            out.push_str(part);
        } else if i % 2 == 0 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_stays_text() {
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn docs_become_paragraphs_with_code_spans() {
        assert_eq!(
            doc("Returns `s` <b>unchanged</b>.\n\nAn `odd one"),
            "<p>Returns <code>s</code> &lt;b&gt;unchanged&lt;/b&gt;.</p><p>An `odd one</p>"
        );
        assert_eq!(doc("`<i>`"), "<p><code>&lt;i&gt;</code></p>");
    }
}
