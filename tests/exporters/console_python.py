"""Writes tests/data/otel-python-console.txt: what the OpenTelemetry Python SDK's ConsoleSpanExporter prints,
the text people copy from a terminal: pretty-printed JSON objects one after another (not an array), `0x` ids,
`SpanKind.SERVER`, ISO-8601 times, the resource inline in every span.

A checkout across two services (the payment call propagates its context to a second tracer provider, as a
service would), one failed call with an exception event, and a link.

    pip install opentelemetry-sdk==1.45.2
    python3 tests/exporters/console_python.py
"""

import io
import pathlib

from opentelemetry import trace
from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.trace import Link, Status, StatusCode

out = io.StringIO()


def provider(service):
    p = TracerProvider(resource=Resource.create({"service.name": service}))
    p.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=out)))
    return p


gateway, payment = provider("gateway"), provider("payment")
gw, pay = gateway.get_tracer("spanlens.tests"), payment.get_tracer("spanlens.tests")

with gw.start_as_current_span("POST /checkout", kind=trace.SpanKind.SERVER) as root:
    root.set_attribute("http.route", "/checkout")
    with gw.start_as_current_span("SELECT stock", kind=trace.SpanKind.CLIENT) as span:
        span.set_attribute("db.system", "postgresql")
    with gw.start_as_current_span("POST /charge", kind=trace.SpanKind.CLIENT) as call:
        headers = {}
        inject(headers)
        with pay.start_as_current_span("charge", context=extract(headers), kind=trace.SpanKind.SERVER,
                                       links=[Link(root.get_span_context(), {"why": "audit"})]) as server:
            try:
                raise TimeoutError("card network timed out")
            except TimeoutError as err:
                server.record_exception(err)
                server.set_status(Status(StatusCode.ERROR, "card network timed out"))
        call.set_status(Status(StatusCode.ERROR, "charge failed"))

gateway.shutdown()
payment.shutdown()
path = pathlib.Path(__file__).resolve().parent.parent / "data" / "otel-python-console.txt"
path.write_text(out.getvalue())
spans = out.getvalue().count("\"kind\": \"SpanKind.")
print(f"{spans} spans written to {path}")
