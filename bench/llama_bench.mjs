// llama.cpp's side of the side-by-side in `make bench` (bench/bench.py --only llama).
//
//   node bench/llama_bench.mjs NODE_MODULES MODEL.gguf THREADS PROMPT_IDS DECODE_STEPS
//
// node-llama-cpp ships only its Node addon (no llama-bench), so this times what
// `tern run` times, on the same file: a prefill of the given token ids in one batch
// (logits of the last position only, as a generator needs), then DECODE_STEPS single
// tokens, each evaluated with its logits. The decode feeds fixed ids (the next prompt
// id), not a sampled one, so no JavaScript pass over the vocabulary is timed. Prints
// one JSON object: prefill_seconds, decode_seconds (one per step), the same as process
// CPU seconds, threads, and the peak RSS (from /proc/self/status, VmHWM).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [nm, model, threadsArg, idsArg, stepsArg] = process.argv.slice(2);
const threads = Number(threadsArg), steps = Number(stepsArg);
const ids = idsArg.split(',').map(Number);
const { getLlama } = await import(pathToFileURL(join(nm, 'node-llama-cpp/dist/index.js')));
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error', maxThreads: threads });
const t0 = performance.now();
const m = await llama.loadModel({ modelPath: model, gpuLayers: 0 });
const ctx = await m.createContext({
	contextSize: ids.length + steps + 16, batchSize: ids.length, sequences: 1, threads,
});
const loadSeconds = (performance.now() - t0) / 1e3;
const seq = ctx.getSequence();

const input = ids.map((t, i) => [t, i === ids.length - 1 ? { generateNext: { logits: true } } : {}]);
// CPU time of the process (every thread, user + system), beside the wall time: on a
// shared machine it shows the work apart from the waiting for a core.
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
let t = performance.now(), c = cpu();
await seq.controlledEvaluate(input);
const prefillSeconds = (performance.now() - t) / 1e3, prefillCpu = cpu() - c;
const decode = [], decodeCpu = [];
for (let s = 0; s < steps; s++) {
	t = performance.now();
	c = cpu();
	await seq.controlledEvaluate([[ids[s % ids.length], { generateNext: { logits: true } }]]);
	decode.push((performance.now() - t) / 1e3);
	decodeCpu.push(cpu() - c);
}
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
console.log(JSON.stringify({
	prefill_tokens: ids.length, prefill_seconds: prefillSeconds, decode_seconds: decode,
	prefill_cpu_seconds: prefillCpu, decode_cpu_seconds: decodeCpu,
	load_seconds: loadSeconds, threads, peak_rss_bytes: hwm ? Number(hwm[1]) * 1024 : null,
}));
await ctx.dispose();
await m.dispose();
await llama.dispose();
