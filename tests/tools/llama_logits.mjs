// llama.cpp's logits for tern's exports (tests/e2e/llamacpp_export.sh).
//
//   node llama_logits.mjs NODE_MODULES MODEL.gguf PROMPTS.txt OUT.json
//
// PROMPTS.txt: one prompt per line as space-separated token ids. For each prompt the
// model (node-llama-cpp, CPU) evaluates the ids in one batch and returns the raw logits
// after every position; OUT.json is [[[logit, ...] per position] per prompt].
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [nm, model, prompts, out] = process.argv.slice(2);
const { getLlama } = await import(pathToFileURL(join(nm, 'node-llama-cpp/dist/index.js')));
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
const m = await llama.loadModel({ modelPath: model });
const ctx = await m.createContext({ contextSize: 256, batchSize: 256, sequences: 1 });
const seq = ctx.getSequence();
const res = [];
for (const line of readFileSync(prompts, 'utf8').split('\n').filter((l) => l.trim())) {
	const ids = line.trim().split(/\s+/).map(Number);
	await seq.clearHistory();
	const input = ids.map((t) => [t, { generateNext: { logits: true } }]);
	const r = await seq.controlledEvaluate(input);
	res.push(r.map((e) => {
		const lg = e.next.logits;                    // Map token -> logit
		const row = new Array(m.tokens.length ?? lg.size).fill(0);
		for (const [t, v] of lg) row[t] = v;
		return row;
	}));
}
writeFileSync(out, JSON.stringify(res));
await ctx.dispose();
await m.dispose();
await llama.dispose();
