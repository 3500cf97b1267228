// llama.cpp's side of the tokenizer comparison (tests/e2e/tokenizer.sh).
//
//   node tok_compare.mjs NODE_MODULES N CORPUS.hex VOCAB.gguf IDS.txt [VOCAB2.gguf IDS2.txt]
//
// Writes a corpus of N varied strings (seeded, so every run has the same one: prose,
// code, digits, whitespace runs, contractions in every case, emoji with ZWJ and flags,
// combining marks, a dozen scripts, special-token look-alikes, random code points) as
// one hex line each, then tokenizes every string with llama.cpp (node-llama-cpp, the
// vocabulary loaded vocabOnly, no BOS, special tokens parsed as text: llama.cpp's
// tokenize(text, add_special = false, parse_special = false)) into one line of ids each.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [nm, nStr, corpusPath, ...pairs] = process.argv.slice(2);
const N = Number(nStr);
if (!nm || !(N > 0) || !corpusPath || pairs.length < 2 || pairs.length % 2) {
	console.error('usage: node tok_compare.mjs NODE_MODULES N CORPUS.hex VOCAB.gguf IDS.txt ...');
	process.exit(2);
}

let seed = 0x7465726e;
const rnd = (n) => {                 // xorshift32: the same corpus on every machine
	seed ^= seed << 13; seed >>>= 0;
	seed ^= seed >>> 17;
	seed ^= seed << 5; seed >>>= 0;
	return seed % n;
};
const pick = (a) => a[rnd(a.length)];

const fragments = [
	'Hello world', 'The quick brown fox jumps over the lazy dog.', "I'm sure you'll see it",
	"DON'T STOP", "She's, they're, we've, I'd, it'LL", "rock 'n' roll", "'s 't 're",
	'In the beginning God created the heaven and the earth.', 'e.g.', 'U.S.A.', 'Mr. Smith',
	'3.14159', '1234567890', '1,000,000', '2024-01-31', '0x7fffffff', '-42', '+1e-9', '12:30pm',
	'int main(void) { return 0; }', 'for (i = 0; i < n; i++) x[i] += y[i];',
	'def f(x):\n    return x ** 2\n', 'if (a && b || !c) {\n\tfoo();\n}', '#include <stdio.h>',
	'<div class="x">Hi</div>', '{"key": [1, 2.5, null, true]}', 'https://example.com/a?b=c&d=e',
	'user@example.org', 'C:\\Users\\tern\\file.txt', '$HOME/.bashrc', 'a_b_c', 'camelCaseWord',
	'SCREAMING_SNAKE', '...', '!!!', '???', '--', '—', '–', '«quoted»', '“curly”', "‘single’",
	'café', 'naïve', 'Ångström', 'façade', 'Straße', 'Ærø', 'œuvre', 'déjà vu',
	'日本語のテキスト', '中文文本测试', '한국어 텍스트', 'Привет, мир!', 'Γειά σου Κόσμε',
	'مرحبا بالعالم', 'שלום עולם', 'नमस्ते दुनिया', 'สวัสดีชาวโลก', 'Xin chào thế giới',
	'ᚠᚢᚦᚨᚱᚲ', 'ꯃꯤꯇꯩ', 'ⲁⲗⲫⲁ', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '𝟘𝟙𝟚', '①②③', 'Ⅻ', '½ ¾', '²³', '٣٤٥', '१२३',
	'🙂', '😀😃😄', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇫🇷🇩🇪', '❤️', '✨🚀', '🤖 robots',
	'e\u0301', 'n\u0303', 'a\u0308\u0304', 'Z\u0351\u036b\u0343', '\u200b', '\u00a0', '\u2003',
	'\u3000', '\u2028', '\ufeffBOM', '<s>', '</s>', '<unk>', '<|eot_id|>', '<|begin_of_text|>',
	'<0x41>', '▁', '▁▁x', 'Ġ', 'Ċ', '\\n', '\t', '\r\n', '\n\n\n', '   ', '\t\t', ' \n ',
];
const seps = ['', ' ', '  ', '   ', '\n', '\n\n', '\t', ' \t ', '\r\n', ', ', '. ', '-', '_',
	'    ', '\n    ', ' \n'];
const blocks = [[0x20, 0x7e], [0xa0, 0x17f], [0x370, 0x3ff], [0x400, 0x4ff], [0x590, 0x6ff],
	[0x900, 0x97f], [0xe00, 0xe7f], [0x1100, 0x11ff], [0x2000, 0x206f], [0x2190, 0x23ff],
	[0x3040, 0x30ff], [0x4e00, 0x4fff], [0xac00, 0xad00], [0x1f300, 0x1f64f], [0x1d400, 0x1d4ff]];

function randomCodepoints() {
	const [lo, hi] = pick(blocks);
	let s = '';
	for (let i = 1 + rnd(12); i > 0; i--)
		s += String.fromCodePoint(lo + rnd(hi - lo + 1));
	return s;
}

function make(i) {
	if (i < fragments.length)
		return fragments[i];
	let s = '';
	const k = 1 + rnd(6);
	for (let j = 0; j < k; j++) {
		if (j)
			s += pick(seps);
		s += rnd(5) === 0 ? randomCodepoints() : pick(fragments);
	}
	if (rnd(8) === 0)
		s = pick(seps) + s;
	if (rnd(8) === 0)
		s += pick(seps);
	if (rnd(10) === 0)
		s = s.toUpperCase();
	return s;
}

const corpus = [];
for (let i = 0; i < N; i++)
	corpus.push(make(i));
writeFileSync(corpusPath, corpus.map((s) => Buffer.from(s, 'utf8').toString('hex')).join('\n') + '\n');

const { getLlama } = await import(pathToFileURL(join(nm, 'node-llama-cpp/dist/index.js')));
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
for (let p = 0; p < pairs.length; p += 2) {
	const model = await llama.loadModel({ modelPath: pairs[p], vocabOnly: true });
	const lines = corpus.map((s) => Array.from(model.tokenize(s, false)).join(' '));
	writeFileSync(pairs[p + 1], lines.join('\n') + '\n');
	await model.dispose();
}
await llama.dispose();
