//! Checking the `Authorization` header against the configured [`Auth`].

use http::{HeaderMap, header};
use switchboard::{Fault, Principal};

use crate::config::Auth;

/// The authenticated caller, `Ok(None)` when no auth is configured.
///
/// # Errors
/// `Client.Unauthorized` when credentials are missing or wrong.
pub(crate) fn authenticate(auth: &Auth, headers: &HeaderMap) -> Result<Option<Principal>, Fault> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    match auth {
        Auth::None => Ok(None),
        Auth::Bearer { token } => {
            let offered = given.and_then(|v| strip_scheme(v, "Bearer"));
            match offered {
                Some(offered) if same(offered.as_bytes(), token.as_bytes()) => {
                    Ok(Some(Principal {
                        name: "bearer".to_owned(),
                        scheme: "bearer",
                    }))
                }
                _ => Err(refused()),
            }
        }
        Auth::Basic { user, password } => {
            let expected = base64(format!("{user}:{password}").as_bytes());
            let offered = given.and_then(|v| strip_scheme(v, "Basic"));
            match offered {
                Some(offered) if same(offered.trim().as_bytes(), expected.as_bytes()) => {
                    Ok(Some(Principal {
                        name: user.clone(),
                        scheme: "basic",
                    }))
                }
                _ => Err(refused()),
            }
        }
    }
}

/// The `WWW-Authenticate` challenge for `auth`.
pub(crate) fn challenge(auth: &Auth) -> Option<&'static str> {
    match auth {
        Auth::None => None,
        Auth::Bearer { .. } => Some("Bearer"),
        Auth::Basic { .. } => Some("Basic realm=\"switchboard\""),
    }
}

fn refused() -> Fault {
    Fault::unauthorized("missing or wrong credentials")
}

fn strip_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (given, rest) = value.split_once(' ')?;
    given.eq_ignore_ascii_case(scheme).then_some(rest)
}

/// Compares in time independent of where the inputs differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Standard base64 with padding (RFC 4648), for Basic credentials.
fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let bytes = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(bytes[0]) << 16 | u32::from(bytes[1]) << 8 | u32::from(bytes[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> shift & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn credentials_are_checked() {
        let basic = Auth::Basic {
            user: "ada".into(),
            password: "secret".into(),
        };
        let mut headers = HeaderMap::new();
        assert!(authenticate(&basic, &headers).is_err());
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic YWRhOnNlY3JldA=="),
        );
        assert_eq!(authenticate(&basic, &headers).unwrap().unwrap().name, "ada");
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic YWRhOndyb25n"),
        );
        assert!(authenticate(&basic, &headers).is_err());
        let bearer = Auth::Bearer {
            token: "t0k".into(),
        };
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer t0k"),
        );
        assert!(authenticate(&bearer, &headers).unwrap().is_some());
        assert!(
            authenticate(&Auth::None, &HeaderMap::new())
                .unwrap()
                .is_none()
        );
    }
}
