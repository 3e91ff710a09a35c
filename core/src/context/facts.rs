//! Transport facts: what the transport that received a request knows about
//! it (HTTP headers, an AMQP delivery, a queue task), attached to the
//! request by the transport and read by methods with
//! [`MethodContext::facts`](super::MethodContext::facts).
//!
//! Core names no transport: each transport crate defines its own facts type
//! and implements [`Facts`] for it, so a third-party transport adds facts
//! without editing core. Attaching facts costs one allocation, the one a
//! boxed enum variant cost before; a request with no facts allocates none.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// A transport's facts about one request. Implement it for the type your
/// transport attaches; methods then read it by type.
///
/// ```
/// use switchboard::{Facts, TransportFacts};
///
/// /// What a (made-up) serial-line transport knows.
/// #[derive(Debug)]
/// struct SerialFacts {
///     port: String,
/// }
///
/// impl Facts for SerialFacts {
///     fn transport(&self) -> &'static str {
///         "serial"
///     }
/// }
///
/// let facts = TransportFacts::new(SerialFacts { port: "/dev/ttyS0".into() });
/// assert_eq!(facts.get::<SerialFacts>().map(|f| f.port.as_str()), Some("/dev/ttyS0"));
/// assert_eq!(facts.transport(), "serial");
/// assert!(TransportFacts::NONE.get::<SerialFacts>().is_none());
/// ```
pub trait Facts: Any + fmt::Debug + Send + Sync {
    /// The transport's short name, for logs and spans (`"http"`, `"amqp"`).
    fn transport(&self) -> &'static str;
}

/// The facts a transport attached to a request, or none (the in-process
/// loopback transport attaches none).
///
/// Cheap to clone: clones share the facts.
#[derive(Clone, Default)]
pub struct TransportFacts(Option<Arc<dyn Facts>>);

impl TransportFacts {
    /// No facts: what the loopback transport and hand-built requests carry.
    pub const NONE: Self = Self(None);

    /// Attaches `facts`.
    pub fn new<T: Facts>(facts: T) -> Self {
        Self(Some(Arc::new(facts)))
    }

    /// The facts, if they are of type `T`.
    pub fn get<T: Facts>(&self) -> Option<&T> {
        let facts: &dyn Any = self.0.as_deref()?;
        facts.downcast_ref()
    }

    /// The name of the transport that attached the facts; `"local"` when
    /// there are none.
    pub fn transport(&self) -> &'static str {
        self.0.as_deref().map_or("local", Facts::transport)
    }
}

impl<T: Facts> From<T> for TransportFacts {
    fn from(facts: T) -> Self {
        Self::new(facts)
    }
}

impl fmt::Debug for TransportFacts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(facts) => facts.fmt(f),
            None => f.write_str("NoFacts"),
        }
    }
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user or client name.
    pub name: String,
    /// How they authenticated (`bearer`, `basic`, `tls`).
    pub scheme: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct A(u32);
    impl Facts for A {
        fn transport(&self) -> &'static str {
            "a"
        }
    }

    #[derive(Debug)]
    struct B;
    impl Facts for B {
        fn transport(&self) -> &'static str {
            "b"
        }
    }

    #[test]
    fn facts_are_read_back_by_their_type_only() {
        let facts = TransportFacts::from(A(7));
        assert_eq!(facts.get::<A>(), Some(&A(7)));
        assert!(facts.get::<B>().is_none());
        assert_eq!(facts.clone().get::<A>(), Some(&A(7)));
        assert_eq!(format!("{facts:?}"), "A(7)");
        assert_eq!(TransportFacts::NONE.transport(), "local");
        assert_eq!(format!("{:?}", TransportFacts::default()), "NoFacts");
    }
}
