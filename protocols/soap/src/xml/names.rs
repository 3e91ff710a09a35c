//! Names as XML 1.0 (§2.3, `NameStartChar` and `NameChar`) and Namespaces
//! in XML 1.0 (`NCName`, `QName`) write them: the careful reader checks
//! every element, attribute and processing instruction name with these,
//! since quick-xml takes any run of bytes up to white space for a name.
//! (The plain lexer's names are an ASCII subset of these.)

/// Whether `ch` may start a name without a colon (`NameStartChar` less `:`).
fn is_start(ch: char) -> bool {
    matches!(ch,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// Whether `ch` may continue a name without a colon (`NameChar` less `:`).
fn is_continuation(ch: char) -> bool {
    is_start(ch)
        || matches!(ch, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Whether `name` is an `NCName`: a name without a colon.
pub(crate) fn is_ncname(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_start) && chars.all(is_continuation)
}

/// Whether `name` is a `QName`: an `NCName`, or two joined by one colon.
pub(crate) fn is_qname(name: &str) -> bool {
    match name.split_once(':') {
        Some((prefix, local)) => is_ncname(prefix) && is_ncname(local),
        None => is_ncname(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualified_names_have_one_colon_between_two_names() {
        for good in [
            "a",
            "tns:echo",
            "_x",
            "é",
            "a-b.c",
            "ns1:Envelope",
            "中文",
            "a\u{300}",
        ] {
            assert!(is_qname(good), "{good}");
        }
        for bad in [
            "", "1a", ":a", "a:", "a:b:c", "-a", "a b", "a/", "a\u{1}", "\u{B7}a", "a:1b",
        ] {
            assert!(!is_qname(bad), "{bad}");
        }
        assert!(!is_ncname("a:b"));
    }
}
