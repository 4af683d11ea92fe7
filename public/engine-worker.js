// The engine's worker: the page's own wasm module (posted by the page, already compiled) started here without
// the UI, reading and analysing one input (src/ui/platform/worker.rs). A same-origin file, as the page's
// Content-Security-Policy allows no blob: worker. Messages that come while the module starts wait for it.
let engine = null;
const early = [];
self.onmessage = async (event) => {
  if (engine) return engine.engine_message(event.data);
  if (event.data?.kind !== 'init') return early.push(event.data);
  try {
    const glue = await import(event.data.glue);
    glue.initSync({ module: event.data.module });
    engine = glue;
  } catch (err) {
    return self.postMessage({ kind: 'failed', file: '', text: `the engine did not start: ${err}` });
  }
  self.postMessage({ kind: 'ready' });
  for (const data of early.splice(0)) engine.engine_message(data);
};
