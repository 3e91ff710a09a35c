//! Signed control commands: when components share a secret, a command
//! carries `_reserved.signature`, the hex HMAC-SHA256 of its name, target,
//! request id and time (one per line) under the secret, and a component
//! obeys only commands whose signature checks and that are less than
//! [`MAX_AGE`] old.

use std::time::{Duration, SystemTime};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::wire::ControlParameters;

/// How old a signed command may be.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// A shared secret for control commands.
#[derive(Clone)]
pub struct ControlSecret(Vec<u8>);

impl ControlSecret {
    /// The secret `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into().into_bytes())
    }

    /// The signature of `command` with `order`.
    pub fn sign(&self, command: &str, order: &ControlParameters) -> String {
        hex::encode(self.mac(command, order).finalize().into_bytes())
    }

    /// Why `signature` does not authorize `command` with `order` now, if
    /// it does not.
    pub fn check(
        &self,
        command: &str,
        order: &ControlParameters,
        signature: Option<&str>,
    ) -> Result<(), String> {
        let signature = signature.ok_or("the command is not signed")?;
        let bytes = hex::decode(signature).map_err(|_| "the signature is not hex")?;
        self.mac(command, order)
            .verify_slice(&bytes)
            .map_err(|_| "the signature does not match this component's secret")?;
        let sent = parse_time(&order.sent_at).ok_or("the command's time is not RFC 3339")?;
        let age = SystemTime::now().duration_since(sent).unwrap_or_default();
        if age > MAX_AGE {
            return Err(format!("the command is {}s old", age.as_secs()));
        }
        Ok(())
    }

    fn mac(&self, command: &str, order: &ControlParameters) -> Hmac<Sha256> {
        // HMAC takes keys of any length.
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!());
        for part in [command, &order.target, &order.request, &order.sent_at] {
            mac.update(part.as_bytes());
            mac.update(b"\n");
        }
        mac
    }
}

impl std::fmt::Debug for ControlSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ControlSecret(***)")
    }
}

fn parse_time(text: &str) -> Option<SystemTime> {
    let at =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    Some(SystemTime::from(at))
}

/// Now, as RFC 3339 in UTC.
pub(crate) fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// `text` (RFC 3339) as a time, if it is one.
pub(crate) fn time_of(text: &str) -> Option<SystemTime> {
    parse_time(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(sent_at: String) -> ControlParameters {
        ControlParameters {
            target: "maps".to_owned(),
            request: "r1".to_owned(),
            sent_at,
        }
    }

    #[test]
    fn a_signed_command_checks_and_anything_else_does_not() {
        let secret = ControlSecret::new("s3cret");
        let order = order(now_rfc3339());
        let signature = secret.sign("quit", &order);
        assert_eq!(secret.check("quit", &order, Some(&signature)), Ok(()));
        assert!(secret.check("quit", &order, None).is_err());
        assert!(secret.check("restart", &order, Some(&signature)).is_err());
        assert!(
            ControlSecret::new("other")
                .check("quit", &order, Some(&signature))
                .is_err()
        );
        let mut retargeted = order.clone();
        retargeted.target = "all".to_owned();
        assert!(secret.check("quit", &retargeted, Some(&signature)).is_err());
    }

    #[test]
    fn an_old_command_is_refused() {
        let secret = ControlSecret::new("s3cret");
        let old = order("2020-01-01T00:00:00Z".to_owned());
        let signature = secret.sign("quit", &old);
        let refused = secret.check("quit", &old, Some(&signature));
        assert!(refused.is_err_and(|why| why.contains("old")));
    }
}
