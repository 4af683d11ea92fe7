"""Writes tests/data/otel-python-split.txt: a checkout whose payment service ignores the incoming trace context,
so its entry span starts a trace of its own while the gateway's call to it waits (console-exporter output of
the OpenTelemetry Python SDK, two tracer providers as two services).

    pip install opentelemetry-sdk==1.45.2
    python3 tests/exporters/split_python.py
"""

import io
import pathlib
import time

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

out = io.StringIO()


def provider(service):
    p = TracerProvider(resource=Resource.create({"service.name": service}))
    p.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=out)))
    return p


gateway, payment = provider("gateway"), provider("payment")
gw, pay = gateway.get_tracer("spanlens.tests"), payment.get_tracer("spanlens.tests")

with gw.start_as_current_span("POST /checkout", kind=trace.SpanKind.SERVER):
    with gw.start_as_current_span("SELECT stock", kind=trace.SpanKind.CLIENT):
        time.sleep(0.002)
    with gw.start_as_current_span("POST /charge", kind=trace.SpanKind.CLIENT) as call:
        call.set_attribute("peer.service", "payment")
        time.sleep(0.001)
        # The payment service does not read the traceparent header: an empty context, a new trace.
        with pay.start_as_current_span("charge", context=Context(), kind=trace.SpanKind.SERVER):
            with pay.start_as_current_span("UPDATE ledger", kind=trace.SpanKind.CLIENT):
                time.sleep(0.003)
        time.sleep(0.001)

gateway.shutdown()
payment.shutdown()
path = pathlib.Path(__file__).resolve().parent.parent / "data" / "otel-python-split.txt"
path.write_text(out.getvalue())
spans = out.getvalue().count("\"kind\": \"SpanKind.")
print(f"{spans} spans written to {path}")
