"""Third-party SOAP clients against a running `switchboard serve`.

Usage: clients.py (zeep|suds|xmlschema) BASE_URL

Prints one JSON object: what each call returned (or the fault it raised),
for the Rust test to compare with what it expects.
"""

import json
import sys
import urllib.request

TRICKY = [
    "<&>",
    "a < b && c > d",
    "<b>bold</b> <!-- not a comment --> <![CDATA[ not cdata ]]>",
    "]]>",
    "héllo wörld 🎉 日本語 ∑",
    "  leading and trailing  ",
    "tab\tnew\nline\r\ncr",
    "",
    "x" * 65536,
]


def fault_of(call):
    """The fault a call raises, as {"code", "message"}, or its result."""
    try:
        return {"result": call()}
    except Exception as err:  # zeep.exceptions.Fault, suds.WebFault
        fault = getattr(err, "fault", None)
        if fault is not None:  # suds
            return {"code": str(fault.faultcode), "message": str(fault.faultstring)}
        return {"code": str(err.code), "message": str(err.message)}


def plain(value):
    """A zeep or suds result as JSON-able data."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, list):
        return [plain(v) for v in value]
    if type(value).__module__.startswith("zeep"):
        from zeep.helpers import serialize_object

        return plain(serialize_object(value, dict))
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    # suds objects
    return {k: plain(v) for k, v in dict(value).items()}


def exercise(service, tag):
    """Every demo and gridmap method, on a map of its own (`{tag}-map`)."""
    name, slug = tag.capitalize() + " Map", tag + "-map"
    out = {}
    out["echo"] = [service.echo(s=s) == s for s in TRICKY]
    out["sum"] = service.sum(a=1.5, b=2.25)
    out["subtract"] = service.subtract(minuend=42, subtrahend=23)
    out["fail"] = fault_of(lambda: service.fail(message="no <way>"))
    out["sleep"] = service.sleep(seconds=0)
    out["create_map"] = plain(service.create_map(name=name, width=10, height=5))
    out["create_map_again"] = fault_of(lambda: service.create_map(name=name, width=3, height=3))
    out["create_map_invalid"] = fault_of(lambda: service.create_map(name="Tiny", width=0, height=3))
    out["update_map"] = service.update_map(slug=slug, width=12)
    out["create_observer"] = plain(service.create_observer(map=slug, name="Ann", x=1, y=1, range=3))
    out["get_observer"] = plain(service.get_observer(map=slug, observer="ann"))
    out["update_observer"] = service.update_observer(map=slug, observer="ann", name="Ann B")
    out["list_observers"] = plain(service.list_observers(map=slug))
    out["create_obstacle"] = plain(service.create_obstacle(map=slug, x=2, y=1))
    out["list_obstacles"] = plain(service.list_obstacles(map=slug))
    out["get_map"] = plain(service.get_map(slug=slug))
    out["list_maps"] = plain(service.list_maps(limit=10))
    out["visible_cells"] = plain(service.visible_cells(map=slug, observer="ann"))
    out["delete_obstacle"] = service.delete_obstacle(map=slug, x=2, y=1)
    out["delete_observer"] = service.delete_observer(map=slug, observer="ann")
    out["delete_map"] = service.delete_map(slug=slug)
    out["get_missing"] = fault_of(lambda: service.get_map(slug=slug))
    return out


def with_zeep(base):
    import zeep

    client = zeep.Client(base + "/soap?wsdl")
    return exercise(client.service, "zeep")


def with_suds(base):
    from suds.client import Client

    client = Client(base + "/soap?WSDL", cache=None)
    return exercise(client.service, "suds")


def with_xmlschema(base):
    from xml.etree import ElementTree

    import xmlschema
    from xmlschema.extras.wsdl import Wsdl11Document

    wsdl = urllib.request.urlopen(base + "/soap?wsdl").read()
    document = Wsdl11Document(wsdl.decode("utf-8"))
    schema = document.schema
    out = {"schema_valid": schema.validity == "valid", "checked": []}
    # Real replies validate against the schema the WSDL embeds.
    calls = {
        "echo": "<tns:echo><tns:s>é &lt;x&gt;</tns:s></tns:echo>",
        "create_map": "<tns:create_map><tns:height>3</tns:height><tns:name>Checked</tns:name><tns:width>4</tns:width></tns:create_map>",
        "get_map": "<tns:get_map><tns:slug>checked</tns:slug></tns:get_map>",
        "list_maps": "<tns:list_maps/>",
    }
    for method, body in calls.items():
        request = (
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:tns="urn:switchboard"><soap:Body>' + body + "</soap:Body></soap:Envelope>"
        )
        # The request validates too.
        declared = body.replace("<tns:" + method, '<tns:' + method + ' xmlns:tns="urn:switchboard"', 1)
        schema.validate(ElementTree.fromstring(declared))
        reply = urllib.request.urlopen(
            urllib.request.Request(
                base + "/soap",
                data=request.encode("utf-8"),
                headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"%s"' % method},
            )
        ).read()
        envelope = ElementTree.fromstring(reply)
        body_element = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
        response = list(body_element)[0]
        schema.validate(response)
        out["checked"].append(method)
    return out


if __name__ == "__main__":
    mode, base = sys.argv[1], sys.argv[2].rstrip("/")
    result = {"zeep": with_zeep, "suds": with_suds, "xmlschema": with_xmlschema}[mode](base)
    print(json.dumps(result))
