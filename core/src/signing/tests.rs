use std::time::{Duration, SystemTime};

use super::*;
use crate::{Fault, code};

const KEY: &str = "0123456789abcdef0123456789abcdef";
const AT: u64 = 1_700_000_000;

fn secrets() -> Secrets {
    Secrets::new(Secret::new(KEY).unwrap_or_else(|_| unreachable!()))
}

fn at(unix: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(unix)
}

#[test]
fn the_header_is_a_fixed_known_vector() {
    // Computed independently (Python's `hmac` module) from the documented
    // MAC input.
    let signer = Signer::new(secrets().signing());
    assert_eq!(
        signer.sign_at("echo", br#"{"text":"hi"}"#, AT),
        "v1 t=1700000000 m=echo \
         sig=06b7dbdd1f9e34a2b67e58712e24a02833e52b7c04540bee3f9aa7066e51e497"
    );
    // A method with a space is escaped in the header, signed as itself.
    assert_eq!(
        signer.sign_at("say hello", b"[]", AT),
        "v1 t=1700000000 m=say%20hello \
         sig=22b712f6555b81c49f2a63da5bb01588b15860895b1f589a96c1748e98bc095b"
    );
}

#[test]
fn a_good_signature_gives_its_method_and_anything_changed_is_a_mismatch() {
    let signer = Signer::new(secrets().signing());
    let verifier = Verifier::new(&secrets());
    let header = signer.sign_at("say hello", b"body", AT);
    let signed = verifier
        .verify_at(Some(&header), b"body", at(AT))
        .map_err(Fault::from);
    assert_eq!(signed.as_ref().map(Signed::method), Ok("say hello"));
    assert_eq!(signed.map(|s| s.at()), Ok(AT));
    let check =
        |header: &str, body: &[u8]| verifier.verify_at(Some(header), body, at(AT)).map(|_| ());
    assert_eq!(check(&header, b"body"), Ok(()));
    assert_eq!(check(&header, b"bodY"), Err(Refusal::Mismatch));
    let swapped = header.replace("m=say%20hello", "m=delete");
    assert_eq!(check(&swapped, b"body"), Err(Refusal::Mismatch));
    let redated = header.replace("t=1700000000", "t=1700000001");
    assert_eq!(check(&redated, b"body"), Err(Refusal::Mismatch));
    let other =
        Secrets::new(Secret::new("another secret of 16+ bytes").unwrap_or_else(|_| unreachable!()));
    let forged = Signer::new(other.signing()).sign_at("say hello", b"body", AT);
    assert_eq!(check(&forged, b"body"), Err(Refusal::Mismatch));
    assert_eq!(
        verifier.verify_at(None, b"body", at(AT)),
        Err(Refusal::Missing)
    );
}

#[test]
fn every_accepted_secret_verifies_during_a_rotation() {
    let secret = |text: &str| Secret::new(text).unwrap_or_else(|_| unreachable!());
    let (old, new, third) = (
        secret("the old secret, 16+"),
        secret("the new secret, 16+"),
        secret("a third secret, 16+"),
    );
    let verifier = Verifier::new(&Secrets::new(new.clone()).with(old.clone()));
    for (signer, accepted) in [(old, true), (new, true), (third, false)] {
        let header = Signer::new(&signer).sign_at("m", b"x", AT);
        assert_eq!(
            verifier.verify_at(Some(&header), b"x", at(AT)).is_ok(),
            accepted
        );
    }
}

#[test]
fn the_age_is_checked_against_the_window_and_the_skew() {
    let verifier = Verifier::new(&secrets()).with_window(Duration::from_secs(60));
    let header = Signer::new(secrets().signing()).sign_at("m", b"x", AT);
    let check = |now: u64| verifier.verify_at(Some(&header), b"x", at(now)).map(|_| ());
    assert_eq!(check(AT + 60), Ok(()));
    assert_eq!(
        check(AT + 61),
        Err(Refusal::Expired {
            age_s: 61,
            window_s: 60
        })
    );
    assert_eq!(check(AT - DEFAULT_SKEW.as_secs()), Ok(()));
    assert_eq!(check(AT - 6), Err(Refusal::Future { ahead_s: 6 }));
    // A clock before 1970 reads as 0: far behind any signature.
    assert!(matches!(
        verifier.verify_at(
            Some(&header),
            b"x",
            SystemTime::UNIX_EPOCH - Duration::from_secs(9)
        ),
        Err(Refusal::Future { .. })
    ));
    let patient = verifier.clone().with_window(Duration::from_secs(3600));
    assert!(
        patient
            .verify_at(Some(&header), b"x", at(AT + 3600))
            .is_ok()
    );
}

#[test]
fn malformed_headers_are_refused_without_panicking() {
    let verifier = Verifier::new(&secrets());
    let good = Signer::new(secrets().signing()).sign_at("m", b"x", AT);
    let sig = good.rsplit_once("sig=").map_or("", |(_, sig)| sig);
    let cases = [
        String::new(),
        "v1".to_owned(),
        "v2 t=1 m=m sig=00".to_owned(),
        format!("v1 t=-1 m=m sig={sig}"),
        format!("v1 t=+1700000000 m=m sig={sig}"),
        format!("v1 t=99999999999999999999 m=m sig={sig}"),
        format!("v1 t=123456789012345678901 m=m sig={sig}"),
        format!("v1 t= m=m sig={sig}"),
        format!("v1 t=1700000000 m= sig={sig}"),
        format!("v1 t=1700000000 m=%ff sig={sig}"),
        format!("v1  t=1700000000 m=m sig={sig}"),
        format!("v1 t=1700000000 sig={sig} m=m"),
        format!("v1 t=1700000000 m=m sig={sig} extra"),
        "v1 t=1700000000 m=m sig=zz".to_owned(),
        format!("v1 t=1700000000 m=m sig={}", &sig[..62]),
        format!("v1 t=1700000000 m=m sig={sig}00"),
        "v1 t=1700000000 m=m sig=é".to_owned(),
    ];
    for case in &cases {
        assert_eq!(
            verifier.verify_at(Some(case), b"x", at(AT)),
            Err(Refusal::Malformed),
            "{case}"
        );
    }
    assert!(verifier.verify_at(Some(&good), b"x", at(AT)).is_ok());
    // Upper-case hex is hex too.
    let upper = format!("v1 t=1700000000 m=m sig={}", sig.to_uppercase());
    assert!(verifier.verify_at(Some(&upper), b"x", at(AT)).is_ok());
}

#[test]
fn a_refusal_is_an_unauthorized_fault_holding_no_signature() {
    let fault = Fault::from(Refusal::Expired {
        age_s: 61,
        window_s: 60,
    });
    assert_eq!(fault.code, code::UNAUTHORIZED);
    assert_eq!(
        fault.message,
        "the signature is 61 s old, more than the 60 s allowed"
    );
    assert_eq!(Refusal::WrongMethod.reason(), "wrong_method");
}

#[test]
fn secrets_never_show_and_files_are_read_line_by_line() -> Result<(), Box<dyn std::error::Error>> {
    let shown = format!(
        "{:?} {:?} {:?}",
        secrets(),
        secrets().signing(),
        Verifier::new(&secrets())
    );
    assert!(!shown.contains(KEY), "{shown}");
    assert!(!format!("{:?}", Signer::new(secrets().signing())).contains(KEY));
    let dir = std::env::temp_dir().join(format!("switchboard-signing-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (two, empty, short) = (dir.join("two"), dir.join("empty"), dir.join("short"));
    std::fs::write(&two, format!("  {KEY}  \r\n\n second secret, 16+ bytes\n"))?;
    std::fs::write(&empty, "\n  \n")?;
    std::fs::write(&short, format!("{KEY}\nshort\n"))?;
    let read = Secrets::read_files([&two])?;
    assert_eq!(read.len(), 2);
    assert_eq!(read.signing(), secrets().signing());
    assert!(matches!(
        Secrets::read_files([&empty]),
        Err(SecretError::Empty { .. })
    ));
    let Err(err) = Secrets::read_files([&short]) else {
        return Err("a short line was accepted".into());
    };
    assert!(
        err.to_string().starts_with("line 2 of the secret file"),
        "{err}"
    );
    assert!(!format!("{err:?}").contains(KEY));
    assert!(matches!(
        Secrets::read_files([dir.join("missing")]),
        Err(SecretError::Read { .. })
    ));
    assert!(matches!(
        Secrets::read_files(Vec::<&str>::new()),
        Err(SecretError::NoFile)
    ));
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
