// llama.cpp's greedy continuation of token-id prompts (tests/e2e/llamacpp_greedy.sh).
//
//   node llama_greedy.mjs NODE_MODULES MODEL.gguf PROMPTS.txt N OUT.json
//
// PROMPTS.txt: one prompt per line as space-separated token ids. For each prompt the
// model (node-llama-cpp, CPU) evaluates the ids, then N times takes the arg-max of the
// raw logits (lowest id on an exact tie) and feeds it back: greedy decoding with no
// sampler in between. OUT.json: [{"tokens": [...], "gap": [...]} per prompt], gap[i]
// being llama.cpp's logit margin between its first and second choice at step i.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [nm, model, prompts, nStr, out] = process.argv.slice(2);
const n = Number(nStr);
const { getLlama } = await import(pathToFileURL(join(nm, 'node-llama-cpp/dist/index.js')));
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
const m = await llama.loadModel({ modelPath: model });
const ctx = await m.createContext({ contextSize: 256, batchSize: 256, sequences: 1 });
const seq = ctx.getSequence();

function top2(lg) {
	let best = -1, bv = -Infinity, sv = -Infinity;
	for (const [t, v] of lg) {
		if (v > bv || (v === bv && t < best)) {
			sv = bv;
			bv = v;
			best = t;
		} else if (v > sv) {
			sv = v;
		}
	}
	return [best, bv - sv];
}

const res = [];
for (const line of readFileSync(prompts, 'utf8').split('\n').filter((l) => l.trim())) {
	const ids = line.trim().split(/\s+/).map(Number);
	await seq.clearHistory();
	const toks = [], gap = [];
	let input = ids.map((t, i) => [t, i === ids.length - 1 ? { generateNext: { logits: true } } : {}]);
	for (let s = 0; s < n; s++) {
		const r = await seq.controlledEvaluate(input);
		const [t, g] = top2(r[r.length - 1].next.logits);
		toks.push(t);
		gap.push(g);
		input = [[t, { generateNext: { logits: true } }]];
	}
	res.push({ tokens: toks, gap });
}
writeFileSync(out, JSON.stringify(res));
await ctx.dispose();
await m.dispose();
await llama.dispose();
