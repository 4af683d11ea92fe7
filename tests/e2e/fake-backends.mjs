// A test server's answers for Jaeger, Tempo and Zipkin. Their servers cannot be installed on these machines,
// so their real routes are answered here: paths, parameters and response bodies as DESIGN.md ("Backends")
// and the servers' sources give them, with the shared fixtures as bodies (the HotROD api/v3 answer for
// Jaeger, a Jaeger v1 `{"data":[…]}` answer for an older Jaeger without api/v3, the Yelp Zipkin trace, the
// OTLP spec example wrapped in Tempo's api/v2 `{"trace":…}`). A search's parameters are checked as the
// servers check them (a malformed one answers 400 with the server's error shape), and more strictly: a
// parameter the server does not know is refused too, so that a misspelt name fails here.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './harness.mjs';

const fixture = (name) => readFileSync(join(FIXTURES, name), 'utf8');
export const HOTROD = '2ea75461946a7dd10f2c15ab36a076cb';
export const PETCLINIC = 'df84e36b9e2ee3815d07f0867a5be1f';
export const YELP = 'a03ee8fff1dcd9b9';
export const TEMPO = '5b8efff798038103d269b633813fc60c';
/// A Tempo trace whose id starts with a zero, which Tempo's search drops.
export const TEMPO_ZERO = '0af7651916cd43dd8448eb211c80319c';

export const config = {
  backends: [
    { name: 'jaeger', kind: 'jaeger', url: '/jaeger' },
    { name: 'old-jaeger', kind: 'jaeger', url: '/old-jaeger/' },
    { name: 'zipkin', kind: 'zipkin', url: '/zipkin' },
    { name: 'tempo', kind: 'tempo', url: '/tempo', headers: { 'X-Scope-OrgID': 'team-a' } },
    { name: 'slow', kind: 'jaeger', url: '/slow', timeoutMs: 1500 },
    { name: 'login', kind: 'zipkin', url: '/login' },
    { name: 'broken', kind: 'jaeger', url: '/broken' },
    { name: 'down', kind: 'zipkin', url: 'http://127.0.0.1:9/' },
    { name: 'tempo-no-org', kind: 'tempo', url: '/tempo' },
    { name: 'old-tempo', kind: 'tempo', url: '/old-tempo' },
  ],
};

const json = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};
const text = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(body);
};

/// Every path asked, and every search's parameters (`{path, params}`), for the tests to look at.
export const seen = [];
export const searches = [];

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const INTEGER = /^\d+$/;

/// The first problem with a search's parameters: `known` names each allowed one with its check.
function malformed(params, known, required) {
  for (const name of required) if (!params.has(name)) return `${name} is required`;
  for (const [name, value] of params) {
    const check = known[name];
    if (!check) return `unknown parameter ${name}`;
    if (!check(value)) return `malformed parameter ${name}: "${value}"`;
  }
  return null;
}
const any = () => true;
const isJsonMap = (v) => { try { const m = JSON.parse(v); return m && typeof m === 'object' && Object.values(m).every((x) => typeof x === 'string'); } catch { return false; } };

const HOTROD_START = 1782036644630407050n;
const hotrodSummary = {
  traceId: HOTROD, rootServiceName: 'frontend', rootOperationName: 'GET /dispatch',
  minStartTimeUnixNano: String(HOTROD_START), maxEndTimeUnixNano: '1782036645333015327', spanCount: 40, errorSpanCount: 0, orphanSpanCount: 0,
  services: ['frontend', 'customer', 'mysql', 'driver', 'redis-manual', 'route'].map((name) => ({ name, spanCount: 1, errorSpanCount: 0 })),
};
const failedSummary = {
  traceId: '00000000000000000000000000000bad', rootServiceName: 'frontend', rootOperationName: 'GET /dispatch',
  minStartTimeUnixNano: String(HOTROD_START + 60_000_000_000n), maxEndTimeUnixNano: String(HOTROD_START + 62_500_000_000n),
  spanCount: '12', errorSpanCount: '3', services: [{ name: 'frontend' }, { name: 'driver' }],
};

const jaegerV3 = {
  'query.serviceName': any, 'query.operationName': any, 'query.startTimeMin': (v) => RFC3339.test(v), 'query.startTimeMax': (v) => RFC3339.test(v),
  'query.durationMin': (v) => GO_DURATION.test(v), 'query.durationMax': (v) => GO_DURATION.test(v), 'query.searchDepth': (v) => INTEGER.test(v),
  'query.attributes': isJsonMap,
};
const jaegerV1 = {
  service: any, operation: any, start: (v) => INTEGER.test(v), end: (v) => INTEGER.test(v), limit: (v) => INTEGER.test(v),
  minDuration: (v) => GO_DURATION.test(v), maxDuration: (v) => GO_DURATION.test(v), tags: isJsonMap,
};
const zipkin = {
  serviceName: any, spanName: any, annotationQuery: any, minDuration: (v) => INTEGER.test(v), maxDuration: (v) => INTEGER.test(v),
  endTs: (v) => INTEGER.test(v), lookback: (v) => INTEGER.test(v), limit: (v) => INTEGER.test(v),
};
const tempo = {
  tags: any, q: any, minDuration: (v) => GO_DURATION.test(v), maxDuration: (v) => GO_DURATION.test(v),
  start: (v) => INTEGER.test(v) && v.length <= 10, end: (v) => INTEGER.test(v) && v.length <= 10, limit: (v) => INTEGER.test(v),
};

/// Jaeger v2: api/v3 only; its own errors are JSON. Service "boom" fails the search (500); "nothing" matches
/// nothing. `slow`: a trace is never answered, nor the first search (a stuck backend; Retry gets an answer).
function jaeger(prefix, { slow = false } = {}) {
  let stuck = slow;
  const error = (res, status, message) => json(res, status, { error: { httpCode: status, message } });
  return (_req, res, url) => {
    const path = url.pathname.slice(prefix.length);
    seen.push(url.pathname);
    const id = path.match(/^\/api\/v3\/traces\/([0-9a-f]+)$/)?.[1];
    if (id && slow) return;
    if (id) return id === HOTROD ? json(res, 200, fixture('otlp-hotrod-jaeger-apiv3-response.json')) : error(res, 404, 'trace not found');
    if (path === '/api/v3/services') return json(res, 200, { services: ['frontend', 'customer', 'driver', 'mysql', 'redis-manual', 'route', 'boom', 'nothing'] });
    if (path === '/api/v3/operations') {
      if (!url.searchParams.get('service')) return error(res, 400, 'service is required');
      return json(res, 200, { operations: [{ name: 'GET /dispatch', spanKind: 'server' }, { name: 'HTTP GET', spanKind: 'client' }] });
    }
    if (path === '/api/v3/trace-summaries') {
      searches.push({ path: url.pathname, params: Object.fromEntries(url.searchParams) });
      if (stuck) { stuck = false; return; }
      const problem = malformed(url.searchParams, jaegerV3, ['query.startTimeMin', 'query.startTimeMax']);
      if (problem) return error(res, 400, problem);
      const service = url.searchParams.get('query.serviceName');
      if (service === 'boom') return error(res, 500, 'storage unavailable');
      if (service === 'nothing') return json(res, 200, { summaries: [] });
      return json(res, 200, { summaries: [hotrodSummary, failedSummary] });
    }
    return text(res, 404, '404 page not found\n');
  };
}

export const routes = {
  '/public/config.json': (_req, res) => json(res, 200, config),
  '/jaeger/*': jaeger('/jaeger'),
  '/slow/*': jaeger('/slow', { slow: true }),
  // An older Jaeger: no api/v3 route (Go's mux answers plain text), the v1 HTTP API. Jaeger reads trace ids as
  // numbers, so a leading zero more or less is the same id.
  '/old-jaeger/*': (_req, res, url) => {
    const path = url.pathname.slice('/old-jaeger'.length);
    seen.push(url.pathname);
    const v1 = (data) => json(res, 200, { data, total: 0, limit: 0, offset: 0, errors: null });
    if (path === `/api/traces/${PETCLINIC}` || path === `/api/traces/0${PETCLINIC}`) return v1([JSON.parse(fixture('jaeger-petclinic-single-trace.json'))]);
    if (path === '/api/services') return v1(['api-gateway', 'customers-service']);
    if (path === '/api/services/api-gateway/operations') return v1(['GET /owners', 'GET /owners/{id}']);
    if (path === '/api/traces') {
      searches.push({ path: url.pathname, params: Object.fromEntries(url.searchParams) });
      const problem = malformed(url.searchParams, jaegerV1, ['service']);
      if (problem) return json(res, 400, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 400, msg: problem }] });
      return v1([JSON.parse(fixture('jaeger-petclinic-single-trace.json'))]);
    }
    return text(res, 404, '404 page not found\n');
  },
  '/zipkin/*': (_req, res, url) => {
    const path = url.pathname.slice('/zipkin'.length);
    if (path === `/api/v2/trace/${YELP}`) return json(res, 200, fixture('zipkin-yelp.json'));
    if (path === '/api/v2/services') return json(res, 200, ['mobile_api', 'routing', 'spectre', 'yelp-main', 'yelp_main/api_proxy']);
    // Zipkin lower-cases the span names it lists.
    if (path === '/api/v2/spans') return json(res, 200, url.searchParams.get('serviceName') ? ['get', 'get my_cache_name_v2'] : []);
    if (path === '/api/v2/traces') {
      searches.push({ path: url.pathname, params: Object.fromEntries(url.searchParams) });
      const problem = malformed(url.searchParams, zipkin, ['endTs', 'lookback']);
      if (problem) return text(res, 400, problem);
      return json(res, 200, `[${fixture('zipkin-yelp.json')}]`);
    }
    return text(res, 404, 'Trace not found');
  },
  // Tempo answers a tenant's requests only with its X-Scope-OrgID; its search drops ids' leading zeros.
  '/tempo/*': (req, res, url) => {
    const path = url.pathname.slice('/tempo'.length);
    seen.push(url.pathname);
    if (req.headers['x-scope-orgid'] !== 'team-a') return text(res, 401, 'no org id\n');
    const trace = () => json(res, 200, `{"trace":${fixture('otlp-spec-example.json')},"status":"complete"}`);
    if (path === `/api/v2/traces/${TEMPO}` || path === `/api/v2/traces/${TEMPO_ZERO}`) return trace();
    if (path === '/api/search/tag/service.name/values') return json(res, 200, { tagValues: ['my.service', 'cart'] });
    if (path === '/api/search/tag/name/values') return json(res, 200, { tagValues: [{ type: 'string', value: 'I\'m a server span' }] });
    if (path === '/api/search') {
      searches.push({ path: url.pathname, params: Object.fromEntries(url.searchParams) });
      const problem = malformed(url.searchParams, tempo, ['start', 'end']);
      if (problem) return text(res, 400, problem);
      const summary = (traceID, durationMs, errorCount) => ({
        traceID, rootServiceName: 'my.service', rootTraceName: 'I\'m a server span', startTimeUnixNano: '1544712660000000000', durationMs,
        spanSets: [{ spans: [], matched: 1 }], serviceStats: { 'my.service': { spanCount: 1, errorCount } },
      });
      return json(res, 200, { traces: [summary(TEMPO, 1000, 0), summary(TEMPO_ZERO.replace(/^0+/, ''), 250, 1)], metrics: { inspectedTraces: 2 } });
    }
    return text(res, 404, 'trace not found\n');
  },
  // Tempo before api/v2: `/api/traces/{id}` answers `{"batches":[…]}` as Go's protojson writes it (base64
  // ids, enum names); there is no `/api/v2/traces` route.
  '/old-tempo/*': (_req, res, url) => {
    seen.push(url.pathname);
    if (url.pathname !== `/old-tempo/api/traces/${TEMPO}`) return text(res, 404, '404 page not found\n');
    const base64 = (hex) => Buffer.from(hex, 'hex').toString('base64');
    const doc = JSON.parse(fixture('otlp-spec-example.json'), function (key, value) {
      if ((key === 'traceId' || key === 'spanId' || key === 'parentSpanId') && typeof value === 'string' && value) return base64(value);
      if (key === 'kind' && typeof value === 'number') return ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT'][value];
      return value;
    });
    return json(res, 200, { batches: doc.resourceSpans });
  },
  '/login/*': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><html><head><title>Sign in · Example SSO</title></head><body>…</body></html>');
  },
  '/broken/*': (_req, res) => json(res, 503, { data: null, errors: [{ code: 503, msg: 'storage unavailable' }] }),
};
