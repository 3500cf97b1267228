/*
 * `tern report DIR`: print the Markdown summary of a report written earlier by
 * `tern gemm --report DIR` or `tern run --report DIR` (perf/tern_report.h). The
 * summary is written last and atomically, so its presence means a complete report.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tern_cli.h"

#define CMD "report"

static const char help[] =
	"usage: tern report DIR\n"
	"\n"
	"Print DIR/summary.md, the summary of a report written by --report DIR.\n"
	"The other files (report.json, layers.csv, *.png) are described in docs/reports.md.\n"
	"exit: 0 printed, 2 bad usage or no report in DIR\n";

int tern_cmd_report(int argc, char **argv)
{
	char path[4096], buf[8192];
	struct stat sb;
	size_t n;
	FILE *f;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(help, stdout);
		return TERN_EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-' || !argv[1][0])
		return tern_usage_err(CMD, "expected one argument, the report directory (see tern report --help)");
	if (stat(argv[1], &sb) || !S_ISDIR(sb.st_mode))
		return tern_usage_err(CMD, "'%s' is not a directory", argv[1]);
	snprintf(path, sizeof(path), "%s/summary.md", argv[1]);
	f = fopen(path, "r");
	if (!f)
		return tern_usage_err(CMD, "no report in '%s' (%s: %s)", argv[1], path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return TERN_EXIT_OK;
}
