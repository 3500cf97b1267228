// Writes a vocabulary-only GGUF from a real tokenizer that an npm package ships, so
// that tern and llama.cpp can tokenize with the very same vocabulary (tests/e2e/tokenizer.sh).
//
//   node vocab_gguf.mjs NODE_MODULES llama|llama3 OUT.gguf
//
// llama:  llama-tokenizer-js (LLaMA 1/2 SentencePiece, 32,000 pieces). The package ships
//         pieces and the merge list of the HF conversion, not the SentencePiece scores;
//         LLaMA's scores fall with the piece id, so each piece gets score -id. Both
//         tokenizers under test read the same scores, which is all the comparison needs.
// llama3: llama3-tokenizer-js (Llama 3 byte-level BPE, 128,000 pieces + 256 specials, its
//         merge list in rank order); tokenizer.ggml.pre = "llama-bpe".
// The file has arch "llama" with the few hyper-parameters llama.cpp reads before the
// vocabulary and no tensors: it is loaded with vocabOnly.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [nm, kind, out] = process.argv.slice(2);
if (!nm || !out || (kind !== 'llama' && kind !== 'llama3')) {
	console.error('usage: node vocab_gguf.mjs NODE_MODULES llama|llama3 OUT.gguf');
	process.exit(2);
}

let tok;
if (kind === 'llama') {
	tok = (await import(pathToFileURL(join(nm, 'llama-tokenizer-js/llama-tokenizer.js')))).default;
} else {
	const m = await import(pathToFileURL(join(nm,
		'llama3-tokenizer-js/bundle/commonjs-llama3-tokenizer-with-baked-data.cjs')));
	tok = (m.default && m.default.llama3Tokenizer) || m.llama3Tokenizer;
}

const chunks = [];
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); chunks.push(b); };
const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); chunks.push(b); };
const i32 = (v) => { const b = Buffer.alloc(4); b.writeInt32LE(v); chunks.push(b); };
const f32 = (v) => { const b = Buffer.alloc(4); b.writeFloatLE(v); chunks.push(b); };
const str = (s) => { const b = Buffer.from(s, 'utf8'); u64(b.length); chunks.push(b); };
const T = { U32: 4, I32: 5, F32: 6, BOOL: 7, STR: 8, ARR: 9 };

const kv = [];
const add = (key, type, write) => kv.push({ key, type, write });
const addU32 = (k, v) => add(k, T.U32, () => u32(v));
const addF32 = (k, v) => add(k, T.F32, () => f32(v));
const addStr = (k, v) => add(k, T.STR, () => str(v));
const addBool = (k, v) => add(k, T.BOOL, () => chunks.push(Buffer.from([v ? 1 : 0])));
const addArr = (k, et, arr, w) => add(k, T.ARR, () => { u32(et); u64(arr.length); arr.forEach(w); });

const vocab = tok.vocabById;
addStr('general.architecture', 'llama');
addStr('general.name', kind === 'llama' ? 'llama-spm-vocab' : 'llama3-bpe-vocab');
addU32('llama.context_length', 4096);
addU32('llama.embedding_length', 256);
addU32('llama.block_count', 1);
addU32('llama.feed_forward_length', 512);
addU32('llama.attention.head_count', 4);
addU32('llama.attention.head_count_kv', 4);
addF32('llama.attention.layer_norm_rms_epsilon', 1e-5);
addU32('llama.vocab_size', vocab.length);
if (kind === 'llama') {
	// SentencePiece ids: 0 <unk>, 1 <s>, 2 </s>, 3..258 <0xNN>, then normal pieces.
	const types = vocab.map((_, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1));
	addStr('tokenizer.ggml.model', 'llama');
	addArr('tokenizer.ggml.tokens', T.STR, vocab, str);
	addArr('tokenizer.ggml.scores', T.F32, vocab, (_, i) => f32(i < 259 ? 0 : -i));
	addArr('tokenizer.ggml.token_type', T.I32, types, i32);
	addU32('tokenizer.ggml.bos_token_id', 1);
	addU32('tokenizer.ggml.eos_token_id', 2);
	addU32('tokenizer.ggml.unknown_token_id', 0);
	addBool('tokenizer.ggml.add_bos_token', true);
} else {
	const merges = [...tok.merges.keys()];
	const types = vocab.map((_, i) => (i >= 128000 ? 3 : 1));
	addStr('tokenizer.ggml.model', 'gpt2');
	addStr('tokenizer.ggml.pre', 'llama-bpe');
	addArr('tokenizer.ggml.tokens', T.STR, vocab, str);
	addArr('tokenizer.ggml.token_type', T.I32, types, i32);
	addArr('tokenizer.ggml.merges', T.STR, merges, str);
	addU32('tokenizer.ggml.bos_token_id', 128000);
	addU32('tokenizer.ggml.eos_token_id', 128001);
	addBool('tokenizer.ggml.add_bos_token', true);
}

chunks.push(Buffer.from('GGUF'));
u32(3);
u64(0);          // tensors
u64(kv.length);
for (const e of kv) {
	str(e.key);
	u32(e.type);
	e.write();
}
writeFileSync(out, Buffer.concat(chunks));
