/*
 * Output files and report directories of the `tern` command, written whole or not at
 * all, and never at the cost of something that is not ours to replace.
 *
 * A regular file (or a new path) is written to a temporary name beside it and renamed
 * over it, so a reader sees the old file or the new one. Anything else (a device such
 * as /dev/null or /dev/full, a pipe, /dev/stdout) is written through in place: renaming
 * over it would replace the device node or the symlink with a regular file. Write
 * errors (ENOSPC on /dev/full, EIO) are reported either way.
 *
 * A report is written into a private directory inside DIR, then its files are moved
 * into DIR with the interrupt signals held, summary.md last (its presence means "a
 * report is here"). An interrupt or error before that point removes the private
 * directory, so DIR keeps its previous report, whole.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tern_cli.h"
#include "tern_report.h"

static int is_special(const char *path)
{
	struct stat sb;

	return !stat(path, &sb) && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode);
}

int tern_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return a && b && !stat(a, &sa) && !stat(b, &sb) && S_ISREG(sa.st_mode) &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int write_all(int fd, const void *buf, uint64_t size)
{
	const char *p = buf;

	while (size) {
		ssize_t w = write(fd, p, size > (1u << 30) ? (1u << 30) : (size_t)size);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		size -= (uint64_t)w;
	}
	return 0;
}

/* Write through to a device, pipe or socket (no temporary, no rename). */
static int write_through(const char *cmd, const char *path, const void *buf, uint64_t size)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	if (fd < 0 && errno == EINVAL) /* some devices refuse O_TRUNC */
		fd = open(path, O_WRONLY);
	if (fd < 0)
		return tern_usage_err(cmd, "cannot write '%s': %s", path, strerror(errno)), -1;
	if (write_all(fd, buf, size)) {
		int e = errno;

		close(fd);
		return tern_usage_err(cmd, "cannot write '%s': %s", path, strerror(e)), -1;
	}
	if (close(fd) && errno != EINTR)
		return tern_usage_err(cmd, "cannot write '%s': %s", path, strerror(errno)), -1;
	return 0;
}

int tern_write_atomic(const char *cmd, const char *path, const void *buf, uint64_t size)
{
	size_t n = strlen(path) + 32;
	char *tmp;
	int fd, e = 0;

	if (is_special(path))
		return write_through(cmd, path, buf, size);
	tmp = malloc(n);
	if (!tmp)
		return tern_usage_err(cmd, "out of memory"), -1;
	snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0) {
		tern_usage_err(cmd, "cannot write '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	if (write_all(fd, buf, size) || fsync(fd))
		e = errno ? errno : EIO;
	if (close(fd) && !e)
		e = errno;
	if (!e && tern_sig_pending()) { /* interrupted: keep the old file, say so in main */
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (e || rename(tmp, path)) {
		tern_usage_err(cmd, "cannot write '%s': %s", path, strerror(e ? e : errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

/* Remove a private directory of plain files (no subdirectories are ever made in it). */
static void remove_private(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[1400];

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* Move the finished files of tmp into dir (dot files are scratch and stay behind). */
static int move_files(const char *tmp, const char *dir, char *err, size_t errlen)
{
	DIR *d = opendir(tmp);
	struct dirent *e;
	char from[1400], to[1400];
	int rc = 0, has_summary = 0;

	if (!d) {
		snprintf(err, errlen, "cannot read '%s': %s", tmp, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) && !rc) {
		if (e->d_name[0] == '.')
			continue;
		if (!strcmp(e->d_name, "summary.md")) {
			has_summary = 1;
			continue;
		}
		snprintf(from, sizeof(from), "%s/%s", tmp, e->d_name);
		snprintf(to, sizeof(to), "%s/%s", dir, e->d_name);
		if (rename(from, to)) {
			snprintf(err, errlen, "cannot move report file to '%s': %s", to, strerror(errno));
			rc = -1;
		}
	}
	closedir(d);
	if (!rc && has_summary) {
		snprintf(from, sizeof(from), "%s/summary.md", tmp);
		snprintf(to, sizeof(to), "%s/summary.md", dir);
		if (rename(from, to)) {
			snprintf(err, errlen, "cannot move report file to '%s': %s", to, strerror(errno));
			rc = -1;
		}
	}
	return rc;
}

int tern_cli_write_report(const char *dir, const struct tern_report *r, char *err, size_t errlen)
{
	char tmp[1100];
	int rc;

	if (tern_report_prepare_dir(dir, err, errlen))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s/.report.tmp.%ld", dir, (long)getpid());
	if (mkdir(tmp, 0777)) {
		snprintf(err, errlen, "cannot create '%s': %s", tmp, strerror(errno));
		return -1;
	}
	rc = tern_report_write(tmp, r, err, errlen);
	if (rc || tern_sig_pending()) {
		remove_private(tmp);
		if (!rc)
			snprintf(err, errlen, "interrupted");
		return -1;
	}
	tern_sig_block();
	rc = move_files(tmp, dir, err, errlen);
	remove_private(tmp);
	tern_sig_unblock();
	return rc;
}
