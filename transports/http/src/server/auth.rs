//! Checking the `Authorization` header against the configured [`Auth`].

use base64::prelude::{BASE64_STANDARD, Engine as _};
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
            let offered = given
                .and_then(|v| strip_scheme(v, "Basic"))
                .and_then(|v| BASE64_STANDARD.decode(v.trim()).ok());
            let expected = format!("{user}:{password}");
            match offered {
                Some(offered) if same(&offered, expected.as_bytes()) => Ok(Some(Principal {
                    name: user.clone(),
                    scheme: "basic",
                })),
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

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

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
        for garbage in ["Basic !!!not base64", "Basic ", "Basic YWRh", "Basic //79"] {
            headers.insert(header::AUTHORIZATION, HeaderValue::from_static(garbage));
            assert!(authenticate(&basic, &headers).is_err(), "{garbage}");
        }
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
