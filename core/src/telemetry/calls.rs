//! [`CallMeters`]: the duration and in-flight metrics of one server's
//! calls, with the handles of successful calls cached per method, so that
//! a successful call costs two clock reads and three atomic updates and
//! builds no label.

use std::borrow::Cow;
use std::sync::{Once, OnceLock};
use std::time::Instant;

use metrics::{Gauge, Histogram, Label, Unit};

use crate::method::MethodDescriptor;
use crate::protocol::{CallOutcome, OutProtocol};

use super::{
    CALL_DURATION, ERROR_TYPE, IN_FLIGHT, METHOD, OTHER_METHOD, REJECTED, STATUS_CODE, STATUS_OK,
    SYSTEM, TRANSPORT,
};

/// The meters of one [`Server`](crate::Server): its protocol, and the
/// cached handles of its methods.
pub(crate) struct CallMeters {
    system: &'static str,
    /// The served methods, by address, to find a method's slot.
    methods: Box<[usize]>,
    /// Per method (same order), the histogram of its successful calls on
    /// the transport that first called it.
    ok: Box<[OnceLock<Cached<Histogram>>]>,
    in_flight: OnceLock<Cached<Gauge>>,
}

/// A handle, and the transport it is labelled with.
struct Cached<T> {
    transport: &'static str,
    handle: T,
}

/// A call being measured: when it started, and its place in the in-flight
/// gauge, given back when it ends or is dropped (a caller that went away).
pub(crate) struct Metered {
    started: Instant,
    transport: &'static str,
    in_flight: Gauge,
}

impl Drop for Metered {
    fn drop(&mut self) {
        self.in_flight.decrement(1.0);
    }
}

impl CallMeters {
    /// The meters of a server of `methods` in protocol `system`.
    pub(crate) fn new(
        system: &'static str,
        methods: impl Iterator<Item = &'static MethodDescriptor>,
    ) -> Self {
        static DESCRIBED: Once = Once::new();
        DESCRIBED.call_once(describe);
        let mut methods: Vec<usize> = methods.map(address).collect();
        methods.sort_unstable();
        let ok = methods.iter().map(|_| OnceLock::new()).collect();
        Self {
            system,
            methods: methods.into_boxed_slice(),
            ok,
            in_flight: OnceLock::new(),
        }
    }

    /// Starts measuring a call received on `transport`.
    pub(crate) fn start(&self, transport: &'static str) -> Metered {
        let cached = self.in_flight.get_or_init(|| Cached {
            transport,
            handle: self.gauge(transport),
        });
        let in_flight = if cached.transport == transport {
            cached.handle.clone()
        } else {
            self.gauge(transport)
        };
        in_flight.increment(1.0);
        Metered {
            started: Instant::now(),
            transport,
            in_flight,
        }
    }

    /// Records the end of `metered` with its outcome.
    pub(crate) fn finish(&self, metered: Metered, out: &dyn OutProtocol, outcome: &CallOutcome) {
        let seconds = metered.started.elapsed().as_secs_f64();
        let transport = metered.transport;
        match (&outcome.result, outcome.method) {
            (Ok(_), Some(method)) => match self.slot(method) {
                Some(slot) => {
                    let cached = slot.get_or_init(|| Cached {
                        transport,
                        handle: self.histogram(transport, method_label(method), None),
                    });
                    if cached.transport == transport {
                        cached.handle.record(seconds);
                    } else {
                        self.histogram(transport, method_label(method), None)
                            .record(seconds);
                    }
                }
                None => self
                    .histogram(transport, method_label(method), None)
                    .record(seconds),
            },
            (result, method) => {
                let fault = result.as_ref().err();
                let name = method.map_or(Cow::Borrowed(OTHER_METHOD), method_label);
                let status = fault.map(|fault| (out.status_code(fault), fault.code.clone()));
                self.histogram(transport, name, status).record(seconds);
            }
        }
    }

    fn slot(&self, method: &'static MethodDescriptor) -> Option<&OnceLock<Cached<Histogram>>> {
        let index = self.methods.binary_search(&address(method)).ok()?;
        self.ok.get(index)
    }

    fn gauge(&self, transport: &'static str) -> Gauge {
        metrics::gauge!(IN_FLIGHT, SYSTEM => self.system, TRANSPORT => transport)
    }

    /// The duration histogram of `method` on `transport`: successful when
    /// `fault` is `None`, else with its status code and fault code.
    fn histogram(
        &self,
        transport: &'static str,
        method: Cow<'static, str>,
        fault: Option<(Cow<'static, str>, Cow<'static, str>)>,
    ) -> Histogram {
        let mut labels = vec![
            Label::new(SYSTEM, self.system),
            Label::new(METHOD, method),
            Label::new(TRANSPORT, transport),
        ];
        match fault {
            None => labels.push(Label::new(STATUS_CODE, STATUS_OK)),
            Some((status, code)) => {
                labels.push(Label::new(STATUS_CODE, status));
                labels.push(Label::new(ERROR_TYPE, code));
            }
        }
        metrics::histogram!(CALL_DURATION, labels)
    }
}

/// `service/method`, the `rpc.method` of a served method.
fn method_label(method: &'static MethodDescriptor) -> Cow<'static, str> {
    Cow::Owned(format!("{}/{}", method.service, method.name))
}

fn address(method: &'static MethodDescriptor) -> usize {
    std::ptr::from_ref(method) as usize
}

/// The HELP text and unit of the call metrics.
pub(super) fn describe() {
    metrics::describe_histogram!(
        CALL_DURATION,
        Unit::Seconds,
        "Duration of calls served, from decoding to the reply (rpc.server.call.duration)."
    );
    metrics::describe_gauge!(IN_FLIGHT, "Calls running now.");
    metrics::describe_counter!(
        REJECTED,
        "Requests refused before any method ran, by reason."
    );
}
