/*
 * Generated text made printable: a byte-level model can emit any byte, including
 * half a UTF-8 sequence or a control byte, and a terminal must not receive those raw.
 * Well-formed UTF-8 passes through; quotes, backslashes, newlines and tabs are escaped
 * C-style; every other control byte and every byte that is not part of a well-formed
 * UTF-8 sequence becomes \xNN. The output is always valid UTF-8 on one line.
 */
#include <stdio.h>
#include <string.h>

#include "tern_cli.h"

/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 if none. */
size_t tern_cli_utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	size_t i;

	if (s[0] >= 0xf5 || !len || len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong 3/4-byte forms, surrogates and code points above U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

size_t tern_cli_escape_text(const char *in, size_t n, char *out, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0, u;
	char e[8];

	if (!len)
		return 0;
	while (i < n) {
		if (s[i] >= 0x80 && (u = tern_cli_utf8_len(s + i, n - i))) {
			memcpy(e, s + i, u);
			e[u] = 0;
			i += u;
		} else {
			unsigned c = s[i++];

			if (c == '"' || c == '\\')
				snprintf(e, sizeof(e), "\\%c", c);
			else if (c == '\n')
				snprintf(e, sizeof(e), "\\n");
			else if (c == '\t')
				snprintf(e, sizeof(e), "\\t");
			else if (c < 0x20 || c >= 0x7f)
				snprintf(e, sizeof(e), "\\x%02x", c);
			else
				snprintf(e, sizeof(e), "%c", c);
		}
		u = strlen(e);
		if (o + u + 1 > len)
			break;
		memcpy(out + o, e, u);
		o += u;
	}
	out[o] = 0;
	return o;
}
