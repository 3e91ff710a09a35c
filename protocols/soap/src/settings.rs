//! [`SoapSettings`]: the target namespace, the service's name in the WSDL,
//! and the header blocks the service understands.

/// The target namespace when none is configured.
pub const DEFAULT_NAMESPACE: &str = "urn:switchboard";

/// The WSDL's service name when none is configured.
pub const DEFAULT_SERVICE_NAME: &str = "switchboard";

/// How a SOAP endpoint names and checks things.
///
/// ```
/// use switchboard_soap::SoapSettings;
///
/// let settings = SoapSettings::default()
///     .with_namespace("urn:example:maps")
///     .with_understood_header(Some("urn:example:auth"), "Token");
/// assert_eq!(settings.namespace(), "urn:example:maps");
/// assert!(settings.understands(Some("urn:example:auth"), "Token"));
/// assert!(!settings.understands(None, "Token"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapSettings {
    namespace: String,
    service_name: String,
    understood: Vec<(Option<String>, String)>,
}

impl Default for SoapSettings {
    fn default() -> Self {
        Self {
            namespace: DEFAULT_NAMESPACE.to_owned(),
            service_name: DEFAULT_SERVICE_NAME.to_owned(),
            understood: Vec::new(),
        }
    }
}

impl SoapSettings {
    /// The target namespace: requests' call elements and every element of
    /// the replies are in it, and the WSDL defines its types there.
    #[must_use]
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The service's name in the WSDL (`wsdl:service`, and the port type,
    /// binding and port named after it).
    #[must_use]
    pub fn with_service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = name.into();
        self
    }

    /// Declares that the service understands header blocks named `name` in
    /// `namespace` (`None`: no namespace): such a block marked
    /// `mustUnderstand="1"` is then accepted rather than answered with a
    /// `MustUnderstand` fault. The methods read it with
    /// [`header_blocks`](crate::header_blocks).
    #[must_use]
    pub fn with_understood_header(mut self, namespace: Option<&str>, name: &str) -> Self {
        self.understood
            .push((namespace.map(str::to_owned), name.to_owned()));
        self
    }

    /// The target namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The service's name in the WSDL.
    pub fn service_name(&self) -> &str {
        &self.service_name
    }

    /// Whether header blocks named `name` in `namespace` are understood.
    pub fn understands(&self, namespace: Option<&str>, name: &str) -> bool {
        self.understood
            .iter()
            .any(|(ns, n)| ns.as_deref() == namespace && n == name)
    }
}
