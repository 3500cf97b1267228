/*
 * `tern shard submit`: hand a planned shard directory's jobs to an existing engine,
 * never to a scheduler of our own. Slurm: one sbatch script (DIR/shard.sbatch) with a
 * job array --array=0-(N-1), each task `tern shard run DIR --index $SLURM_ARRAY_TASK_ID`;
 * retries are Slurm's (--requeue). GNU parallel: the same N commands, locally or over
 * --sshlogin, retries by parallel's --retries. Both rely on `tern shard run` being
 * idempotent (a finished shard exits at once) and writing its result atomically, and on
 * DIR and this tern binary being at the same path on every node (a shared filesystem).
 * The engine commands can be replaced for tests or wrappers: $TERN_SBATCH, $TERN_PARALLEL.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tern_cli.h"
#include "tern_shard.h"

#define CMD "shard"

static const char help[] =
	"usage: tern shard submit DIR --engine slurm [--partition P] [--time T] [--mem M]\n"
	"                         [--account A] [--sbatch-arg ARG]... [--wait]\n"
	"       tern shard submit DIR --engine parallel [--jobs J] [--sshlogin LOGIN]...\n"
	"                         [--retries R]\n"
	"\n"
	"Run every shard of DIR (made by tern shard plan) through an engine. slurm writes\n"
	"DIR/shard.sbatch, a job array 0..N-1 with --requeue, submits it with sbatch and\n"
	"prints the job id (--wait: block until the array ends, exit 1 if a task failed).\n"
	"parallel runs the N jobs through GNU parallel (local by default, --jobs J at once;\n"
	"--sshlogin as parallel takes it, --retries R per job) and waits. DIR and this tern\n"
	"must be at the same path on every node. Then: tern shard status / merge DIR.\n"
	"exit: 0 submitted (or all jobs passed), 1 a job failed, 2 bad usage or the engine\n"
	"      could not be started\n";

struct sub {
	const char *engine, *partition, *time, *mem, *account, *jobs, *retries;
	const char *extra[16], *login[16];
	int n_extra, n_login, wait;
};

/* Run argv; its stdout into out (when given). Exit status, or -1 if it could not start. */
static int spawn(char **argv, char *out, size_t len)
{
	int fd[2], st;
	pid_t pid;
	size_t used = 0;

	if (out && pipe(fd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (out) {
			dup2(fd[1], STDOUT_FILENO);
			close(fd[0]);
			close(fd[1]);
		}
		execvp(argv[0], argv);
		_exit(127); /* the parent names the command: one line */
	}
	if (out) {
		ssize_t r;

		close(fd[1]);
		while ((r = read(fd[0], out + used, len - 1 - used)) > 0 || (r < 0 && errno == EINTR))
			used += r > 0 ? (size_t)r : 0;
		out[used] = 0;
		close(fd[0]);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int opt(int argc, char **argv, struct sub *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], **slot = NULL;

		if (!strcmp(o, "--help"))
			return fputs(help, stdout), 1;
		if (!strcmp(o, "--wait")) {
			s->wait = 1;
			continue;
		}
		if (i + 1 == argc)
			return tern_usage_err(CMD, "submit: unknown option or missing value '%s'", o), -1;
		if (!strcmp(o, "--engine")) slot = &s->engine;
		else if (!strcmp(o, "--partition")) slot = &s->partition;
		else if (!strcmp(o, "--time")) slot = &s->time;
		else if (!strcmp(o, "--mem")) slot = &s->mem;
		else if (!strcmp(o, "--account")) slot = &s->account;
		else if (!strcmp(o, "--jobs")) slot = &s->jobs;
		else if (!strcmp(o, "--retries")) slot = &s->retries;
		else if (!strcmp(o, "--sbatch-arg") && s->n_extra < 16) slot = &s->extra[s->n_extra++];
		else if (!strcmp(o, "--sshlogin") && s->n_login < 16) slot = &s->login[s->n_login++];
		else
			return tern_usage_err(CMD, "submit: unknown option '%s' (see tern shard submit "
					      "--help)", o), -1;
		*slot = argv[++i];
		if (strchr(*slot, '\n') || strchr(*slot, '\''))
			return tern_usage_err(CMD, "submit: %s holds a quote or newline", o), -1;
	}
	if (!s->engine || (strcmp(s->engine, "slurm") && strcmp(s->engine, "parallel")))
		return tern_usage_err(CMD, "submit: give --engine slurm or --engine parallel"), -1;
	return 0;
}

static int slurm(const char *dir, const char *tern, const struct tern_plan *p,
		 const struct sub *s)
{
	char path[PATH_MAX + 32], out[4096];
	char *argv[8];
	FILE *f;
	int i, n = 0, rc;

	snprintf(path, sizeof(path), "%s/shard.sbatch", dir);
	if (!(f = fopen(path, "w")))
		return tern_usage_err(CMD, "submit: cannot write '%s': %s", path, strerror(errno));
	fprintf(f, "#!/bin/sh\n# written by tern shard submit: one array task per shard\n"
		   "#SBATCH --job-name=tern-shard\n#SBATCH --array=0-%u\n#SBATCH --requeue\n"
		   "#SBATCH --output=%s/logs/slurm-%%A_%%a.out\n", p->shards - 1, dir);
	if (s->partition)
		fprintf(f, "#SBATCH --partition=%s\n", s->partition);
	if (s->time)
		fprintf(f, "#SBATCH --time=%s\n", s->time);
	if (s->mem)
		fprintf(f, "#SBATCH --mem=%s\n", s->mem);
	if (s->account)
		fprintf(f, "#SBATCH --account=%s\n", s->account);
	for (i = 0; i < s->n_extra; i++)
		fprintf(f, "#SBATCH %s\n", s->extra[i]);
	fprintf(f, "exec '%s' shard run '%s' --index \"$SLURM_ARRAY_TASK_ID\"\n", tern, dir);
	if (fclose(f))
		return tern_usage_err(CMD, "submit: cannot write '%s'", path);
	argv[n++] = getenv("TERN_SBATCH") ? getenv("TERN_SBATCH") : "sbatch";
	argv[n++] = "--parsable";
	if (s->wait)
		argv[n++] = "--wait";
	argv[n++] = path;
	argv[n] = NULL;
	rc = spawn(argv, out, sizeof(out));
	out[strcspn(out, "\n;")] = 0;
	if (rc < 0 || rc == 127)
		return tern_usage_err(CMD, "submit: cannot run '%s' (install slurm-wlm, or set "
				      "$TERN_SBATCH)", argv[0]);
	if (!out[0] && rc)
		return tern_usage_err(CMD, "submit: %s could not submit %s (exit %d)", argv[0], path,
				      rc);
	printf("tern shard submit: slurm job %.200s, array 0-%u%s\n", out, p->shards - 1,
	       s->wait ? (rc ? ": a task failed" : ": all tasks ended") : "");
	return rc ? TERN_EXIT_CHECK : TERN_EXIT_OK;
}

static int parallel(const char *dir, const char *tern, const struct tern_plan *p,
		    const struct sub *s)
{
	char joblog[PATH_MAX + 32], **argv, (*idx)[12];
	uint32_t i;
	int n = 0, rc;

	argv = calloc(p->shards + 48, sizeof(char *));
	idx = calloc(p->shards, sizeof(*idx));
	if (!argv || !idx)
		return free(argv), free(idx), tern_usage_err(CMD, "submit: out of memory");
	snprintf(joblog, sizeof(joblog), "%s/logs/parallel.joblog", dir);
	argv[n++] = getenv("TERN_PARALLEL") ? getenv("TERN_PARALLEL") : "parallel";
	argv[n++] = "--will-cite";
	argv[n++] = "--halt";
	argv[n++] = "never";
	argv[n++] = "--joblog";
	argv[n++] = joblog;
	if (s->jobs) {
		argv[n++] = "--jobs";
		argv[n++] = (char *)s->jobs;
	}
	if (s->retries) {
		argv[n++] = "--retries";
		argv[n++] = (char *)s->retries;
	}
	for (i = 0; i < (uint32_t)s->n_login; i++) {
		argv[n++] = "--sshlogin";
		argv[n++] = (char *)s->login[i];
	}
	argv[n++] = (char *)tern;
	argv[n++] = "shard";
	argv[n++] = "run";
	argv[n++] = (char *)dir;
	argv[n++] = "--index";
	argv[n++] = "{}";
	argv[n++] = ":::";
	for (i = 0; i < p->shards; i++) {
		snprintf(idx[i], sizeof(idx[i]), "%u", i);
		argv[n++] = idx[i];
	}
	argv[n] = NULL;
	fflush(stdout);
	rc = spawn(argv, NULL, 0);
	free(argv);
	free(idx);
	if (rc < 0 || rc == 127 || rc >= 255)
		return tern_usage_err(CMD, "submit: GNU parallel ('%s') did not run (exit %d)",
				      getenv("TERN_PARALLEL") ? getenv("TERN_PARALLEL") : "parallel", rc);
	printf("tern shard submit: parallel ran %u jobs, %d failed (log %s)\n", p->shards, rc,
	       joblog);
	return rc ? TERN_EXIT_CHECK : TERN_EXIT_OK;
}

int tern_shard_submit(const char *dir_arg, int argc, char **argv)
{
	char dir[PATH_MAX], tern[PATH_MAX], err[1024];
	struct tern_plan p;
	struct sub s;
	ssize_t n;
	int rc;

	if (!strcmp(dir_arg, "--help"))
		return fputs(help, stdout), TERN_EXIT_OK;
	rc = opt(argc, argv, &s);
	if (rc)
		return rc > 0 ? TERN_EXIT_OK : TERN_EXIT_USAGE;
	if (!realpath(dir_arg, dir) || strchr(dir, '\''))
		return tern_usage_err(CMD, "submit: '%s' is not a usable shard directory", dir_arg);
	n = readlink("/proc/self/exe", tern, sizeof(tern) - 1);
	if (n <= 0)
		return tern_usage_err(CMD, "submit: cannot find this tern's path");
	tern[n] = 0;
	if (tern_plan_read(dir, &p, err, sizeof(err)))
		return tern_usage_err(CMD, "submit: %s", err);
	rc = !strcmp(s.engine, "slurm") ? slurm(dir, tern, &p, &s) : parallel(dir, tern, &p, &s);
	tern_plan_free(&p);
	return rc;
}
