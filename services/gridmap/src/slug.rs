//! Names and slugs: a name is one line of text; its slug, the URL
//! identifier of a map or an observer, is derived from it.
//!
//! A slug keeps lowercase ASCII letters and digits; every run of anything
//! else (spaces, punctuation, non-ASCII letters) becomes one `-`, and no `-`
//! starts or ends it: "Fancy Map" gives `fancy-map`, "Ünïcode!" gives
//! `n-code`.

use switchboard::Fault;

/// The slug of `name`; empty when `name` has no ASCII letter or digit.
///
/// ```
/// use switchboard_gridmap::slugify;
///
/// assert_eq!(slugify("Fancy Map"), "fancy-map");
/// assert_eq!(slugify("  Map #2 (north) "), "map-2-north");
/// assert_eq!(slugify("!!!"), "");
/// ```
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    let mut pending_dash = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    slug
}

/// The slug of `name`, or a `Client.Validation` fault naming `what` (`map
/// name`, `observer name`) when the name holds a control character (a line
/// break would break the map text format) or its slug would be empty.
pub(crate) fn slug_of(what: &str, name: &str) -> Result<String, Fault> {
    if name.chars().any(char::is_control) {
        return Err(Fault::validation(format!(
            "{what} {name:?} holds a control character such as a line break"
        )));
    }
    let slug = slugify(name);
    if slug.is_empty() {
        return Err(Fault::validation(format!(
            "{what} `{name}` has no ASCII letter or digit to make a slug from"
        )));
    }
    Ok(slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_other_characters_become_one_dash() {
        assert_eq!(slugify("Fancy Map"), "fancy-map");
        assert_eq!(slugify("--Hello__World!!"), "hello-world");
        assert_eq!(slugify("Crème brûlée"), "cr-me-br-l-e");
        assert_eq!(slugify("A1 b2"), "a1-b2");
        assert_eq!(slugify("x"), "x");
    }

    #[test]
    fn a_name_without_letters_or_digits_is_refused() {
        assert_eq!(slugify(" -- "), "");
        let fault = slug_of("map name", "???").unwrap_err();
        assert_eq!(fault.code(), "Client.Validation");
        assert!(fault.message().contains("`???`"), "{fault}");
    }

    #[test]
    fn a_name_is_one_line() {
        let fault = slug_of("observer name", "Two\nlines").unwrap_err();
        assert_eq!(fault.code(), "Client.Validation");
        assert!(fault.message().contains("observer name"), "{fault}");
    }
}
