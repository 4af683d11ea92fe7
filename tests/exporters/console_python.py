"""Writes two files of what the OpenTelemetry Python SDK's ConsoleSpanExporter prints, the text people copy
from a terminal: pretty-printed JSON objects one after another (not an array), `0x` ids, `SpanKind.SERVER`,
ISO-8601 times, the resource inline in every span. Each service is a tracer provider of its own.

- tests/data/otel-python-console.txt: a checkout across two services (the payment call propagates its
  context), one failed call with an exception event, and a link.
- tests/data/otel-python-split.txt: the same checkout whose payment service ignores the incoming context, so
  its entry span starts a trace of its own while the gateway's call to it waits.

    pip install opentelemetry-sdk==1.45.2
    python3 tests/exporters/console_python.py
"""

import io
import pathlib
import time

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.trace import Link, Status, StatusCode

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"


def checkout(file_name, propagate):
    out = io.StringIO()
    providers = []

    def tracer(service):
        p = TracerProvider(resource=Resource.create({"service.name": service}))
        p.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=out)))
        providers.append(p)
        return p.get_tracer("spanlens.tests")

    gw, pay = tracer("gateway"), tracer("payment")
    with gw.start_as_current_span("POST /checkout", kind=trace.SpanKind.SERVER) as root:
        root.set_attribute("http.route", "/checkout")
        with gw.start_as_current_span("SELECT stock", kind=trace.SpanKind.CLIENT) as span:
            span.set_attribute("db.system", "postgresql")
            time.sleep(0.002)
        with gw.start_as_current_span("POST /charge", kind=trace.SpanKind.CLIENT) as call:
            call.set_attribute("peer.service", "payment")
            headers = {}
            inject(headers)
            time.sleep(0.001)
            if propagate:
                context, links = extract(headers), [Link(root.get_span_context(), {"why": "audit"})]
            else:
                # The payment service does not read the traceparent header: an empty context, a new trace.
                context, links = Context(), []
            with pay.start_as_current_span("charge", context=context, kind=trace.SpanKind.SERVER, links=links) as server:
                if propagate:
                    try:
                        raise TimeoutError("card network timed out")
                    except TimeoutError as err:
                        server.record_exception(err)
                        server.set_status(Status(StatusCode.ERROR, "card network timed out"))
                else:
                    with pay.start_as_current_span("UPDATE ledger", kind=trace.SpanKind.CLIENT):
                        time.sleep(0.003)
            if propagate:
                call.set_status(Status(StatusCode.ERROR, "charge failed"))
            time.sleep(0.001)

    for p in providers:
        p.shutdown()
    (DATA / file_name).write_text(out.getvalue())
    spans = out.getvalue().count("\"kind\": \"SpanKind.")
    print(f"{spans} spans written to {DATA / file_name}")


checkout("otel-python-console.txt", propagate=True)
checkout("otel-python-split.txt", propagate=False)
