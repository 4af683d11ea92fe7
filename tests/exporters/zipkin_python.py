"""Writes tests/data/otel-python-zipkin.json: real Zipkin v2 JSON from the OpenTelemetry Python SDK's Zipkin
exporter, posted to a Zipkin-like collector on 127.0.0.1 (this script) and saved as received.

A checkout with five failed calls: two with a status description, three without. The exporter writes the
`otel.status_code: ERROR` tag on all five and the `error` tag only on the two with a description, which is
what a viewer that reads only `error` gets wrong.

    pip install opentelemetry-sdk==1.45.2 opentelemetry-exporter-zipkin-json==1.45.1
    python3 tests/exporters/zipkin_python.py
"""

import json
import pathlib
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from opentelemetry import trace
from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Status, StatusCode

received = []


class Collector(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        received.extend(json.loads(body))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Collector)
threading.Thread(target=server.serve_forever, daemon=True).start()
endpoint = f"http://127.0.0.1:{server.server_port}/api/v2/spans"

provider = TracerProvider(resource=Resource.create({"service.name": "checkout"}))
provider.add_span_processor(SimpleSpanProcessor(ZipkinExporter(endpoint=endpoint)))
tracer = provider.get_tracer("spanlens.tests")

with tracer.start_as_current_span("POST /checkout", kind=trace.SpanKind.SERVER):
    for item in range(3):
        with tracer.start_as_current_span("SELECT stock", kind=trace.SpanKind.CLIENT) as span:
            span.set_attribute("db.system", "postgresql")
            span.set_status(Status(StatusCode.ERROR))
    with tracer.start_as_current_span("POST /charge", kind=trace.SpanKind.CLIENT) as span:
        span.set_status(Status(StatusCode.ERROR, "card declined"))
    with tracer.start_as_current_span("POST /notify", kind=trace.SpanKind.CLIENT) as span:
        span.set_status(Status(StatusCode.ERROR, "mailer unavailable"))
    with tracer.start_as_current_span("render receipt") as span:
        span.set_status(Status(StatusCode.OK))

provider.shutdown()
server.shutdown()
out = pathlib.Path(__file__).resolve().parent.parent / "data" / "otel-python-zipkin.json"
out.write_text(json.dumps(received, indent=1) + "\n")
print(f"{len(received)} spans written to {out}")
