/*
 * `tern tokenize`: the model's own tokenizer on text, as `tern run --prompt` uses it.
 * Prints the ids comma-separated (ready for --prompt-tokens). --lines-hex runs many
 * strings at once for the comparison with llama.cpp (tests/e2e/tokenizer.sh): each
 * input line is the hex of one UTF-8 string, each output line its ids space-separated,
 * so strings may hold newlines or any byte without an escaping convention.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tern_cli.h"
#include "tern_gguf.h"
#include "tern_model.h"

#define CMD "tokenize"
#define MAX_IDS (1u << 20)

static const char help[] =
	"usage: tern tokenize --model FILE.gguf (--text TEXT | --lines-hex FILE) [--bos]\n"
	"\n"
	"Tokenize with the vocabulary of a GGUF file (tokenizer.ggml.*: SentencePiece or\n"
	"byte-level BPE, as llama.cpp does it; docs/tokenizer.md). Special tokens in the text\n"
	"are text. Prints the ids comma-separated.\n"
	"  --text TEXT        the text\n"
	"  --lines-hex FILE   one string per line as hex of its UTF-8 bytes; prints one line\n"
	"                     of space-separated ids per input line\n"
	"  --bos              prepend BOS when the vocabulary asks for it (add_bos_token)\n"
	"  --describe         print which tokenizer the file has and exit\n"
	"exit: 0 done, 2 bad usage, unreadable file, no vocabulary or untokenizable text\n";

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int print_ids(const struct tern_vocab *v, const char *s, size_t len, int bos, char sep,
		     uint32_t *ids)
{
	char err[256];
	int64_t n = tern_vocab_tokenize(v, s, len, bos, ids, MAX_IDS, err, sizeof(err)), i;

	if (n < 0)
		return tern_usage_err(CMD, "%s", err), -1;
	for (i = 0; i < n; i++)
		printf("%s%u", i ? (sep == ',' ? "," : " ") : "", ids[i]);
	putchar('\n');
	return 0;
}

static int run_lines(const struct tern_vocab *v, const char *path, int bos, uint32_t *ids)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *buf = NULL;
	size_t cap = 0, i, n;
	ssize_t len;
	unsigned long lineno = 0;
	int rc = 0;

	if (!f)
		return tern_usage_err(CMD, "cannot open '%s'", path), -1;
	while (!rc && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		free(buf);
		buf = malloc((size_t)len / 2 + 1);
		if (!buf || len % 2) {
			rc = tern_usage_err(CMD, "%s:%lu: %s", path, lineno,
					    buf ? "odd number of hex digits" : "out of memory");
			break;
		}
		for (i = 0, n = 0; i < (size_t)len; i += 2, n++) {
			int hi = hexval(line[i]), lo = hexval(line[i + 1]);

			if (hi < 0 || lo < 0) {
				rc = tern_usage_err(CMD, "%s:%lu: not a hex digit", path, lineno);
				break;
			}
			buf[n] = (char)(hi * 16 + lo);
		}
		if (!rc)
			rc = print_ids(v, buf, n, bos, ' ', ids);
	}
	free(line);
	free(buf);
	fclose(f);
	return rc ? -1 : 0;
}

int tern_cmd_tokenize(int argc, char **argv)
{
	enum { O_MODEL = 256, O_TEXT, O_LINES, O_BOS, O_DESC, O_HELP };
	static const struct option lo[] = {
		{ "model", required_argument, 0, O_MODEL }, { "text", required_argument, 0, O_TEXT },
		{ "lines-hex", required_argument, 0, O_LINES }, { "bos", no_argument, 0, O_BOS },
		{ "describe", no_argument, 0, O_DESC }, { "help", no_argument, 0, O_HELP },
		{ 0, 0, 0, 0 }
	};
	const char *model = NULL, *text = NULL, *lines = NULL;
	struct tern_gguf *g = NULL;
	struct tern_vocab *v = NULL;
	uint32_t *ids = NULL;
	int c, bos = 0, desc = 0, rc = TERN_EXIT_USAGE;
	char err[512];

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case O_MODEL: model = optarg; break;
		case O_TEXT: text = optarg; break;
		case O_LINES: lines = optarg; break;
		case O_BOS: bos = 1; break;
		case O_DESC: desc = 1; break;
		case O_HELP: fputs(help, stdout); return TERN_EXIT_OK;
		default: return tern_bad_option(CMD, argv);
		}
	}
	if (optind < argc)
		return tern_usage_err(CMD, "unexpected argument '%s'", argv[optind]);
	if (!model)
		return tern_usage_err(CMD, "--model is required");
	if (!desc && !!text + !!lines != 1)
		return tern_usage_err(CMD, "give one of --text and --lines-hex");
	if (tern_gguf_open(model, &g, err, sizeof(err)))
		return tern_usage_err(CMD, "%s", err);
	if (!tern_gguf_find_key(g, "tokenizer.ggml.tokens")) {
		tern_usage_err(CMD, "%s: no tokenizer.ggml.tokens: the file has no vocabulary", model);
		goto out;
	}
	if (tern_vocab_from_gguf(g, 0, &v, err, sizeof(err))) {
		tern_usage_err(CMD, "%s: %s", model, err);
		goto out;
	}
	if (desc) {
		tern_vocab_describe(v, err, sizeof(err));
		printf("%s: %u tokens, %s\n", model, tern_vocab_size(v), err);
		rc = TERN_EXIT_OK;
		goto out;
	}
	if (!(ids = malloc(MAX_IDS * sizeof(uint32_t)))) {
		tern_usage_err(CMD, "out of memory");
		goto out;
	}
	if (text ? print_ids(v, text, strlen(text), bos, ',', ids) : run_lines(v, lines, bos, ids))
		goto out;
	if (fflush(stdout)) {
		tern_usage_err(CMD, "write error on stdout");
		goto out;
	}
	rc = TERN_EXIT_OK;
out:
	free(ids);
	tern_vocab_free(v);
	tern_gguf_close(g);
	return rc;
}
