"""Writes each fuzz target's starting corpus (fuzz/corpus/<target>/) from real files: the shared fixtures and
the exporter files in tests/data. Span targets get single spans cut out of real documents; whole-input
targets get whole files (up to 64 KB), one gzipped and one in UTF-16; the search target gets queries."""

import gzip
import json
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
REPO = FUZZ.parent
DATA = REPO / "tests" / "data"
# The fuzz findings kept as regression tests are seeds too.
SOURCES = sorted((REPO.parent / "shared" / "fixtures").glob("*.json")) + sorted(p for p in DATA.iterdir() if p.is_file())
FOUND = sorted((DATA / "fuzz").glob("*"))
MAX_FILE = 64 * 1024


def write(target, name, data):
    folder = FUZZ / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def spans(doc):
    """Every span object of a document, by format: OTLP, Jaeger (`data[].spans`) or Zipkin (an array)."""
    if isinstance(doc, list):
        return [s for s in doc if isinstance(s, dict)], "zipkin"
    if "resourceSpans" in doc or "result" in doc:
        rs = doc.get("resourceSpans") or doc.get("result", {}).get("resourceSpans", [])
        return [s for r in rs for ss in r.get("scopeSpans", []) for s in ss.get("spans", [])], "otlp"
    if "data" in doc:
        traces = doc["data"] if isinstance(doc["data"], list) else [doc["data"]]
        return [s for t in traces for s in t.get("spans", [])], "jaeger"
    if "spans" in doc:
        return doc["spans"], "jaeger"
    return [], None


for path in SOURCES:
    data = path.read_bytes()
    if len(data) <= MAX_FILE:
        for target in ("document", "slices"):
            # The slices target's first two bytes choose arrival and slice sizes.
            write(target, path.name, data if target == "document" else b"\x03\x05" + data)
    if path.suffix == ".txt":
        write("console", path.name, data)
        continue
    # A JSONL file (a collector's file exporter) holds a document per line.
    docs = [json.loads(line) for line in data.splitlines() if line.strip()] if path.suffix == ".jsonl" else [json.loads(data)]
    found, target = [], None
    for doc in docs:
        more, kind = spans(doc)
        found, target = found + more, target or kind
    for i, span in enumerate(found[:20]):
        write(target, f"{path.stem}-{i}", json.dumps(span))

for path in FOUND:
    write("document", path.name, path.read_bytes())
    write("slices", path.name, b"\x03\x05" + path.read_bytes())

example = (REPO.parent / "shared" / "fixtures" / "otlp-spec-example.json").read_bytes()
write("document", "otlp-spec-example.json.gz", gzip.compress(example))
write("document", "otlp-spec-example.utf16.json", b"\xff\xfe" + example.decode().encode("utf-16-le"))
for i, query in enumerate([
    "checkout", '"GET /route"', "service:frontend", 'name:"HTTP GET"', "http.status_code=402", 'key=""',
    "status:error", "-status:ok", "kind:server", "duration>100ms", "duration>=1.5s", "-service:redis pay",
    'url.full="http://x/?a=b"', "http://host:8080/path", 'name:"a \\" b"',
]):
    write("search", f"query-{i}", query)
print(f"seeds written to {FUZZ / 'corpus'}", file=sys.stderr)
