/*
 * Interrupts for the whole `tern` process: SIGINT, SIGTERM and SIGHUP only set a flag.
 * Long work looks at the flag at safe points (the forward pass between layers, output
 * files before they are renamed into place, reports before they are moved into their
 * directory), so an interrupted command always unwinds through its normal cleanup:
 * temporary files are removed, a previous output or report is left as it was, and
 * main() prints one line and exits with 128 + the signal number (130, 143, 129).
 *
 * Work that must not be cut in half (moving a finished report's files into place) runs
 * with the three signals blocked: tern_sig_block() / tern_sig_unblock().
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "tern_cli.h"

static volatile sig_atomic_t caught; /* the first signal received, 0 = none */

static void on_signal(int sig)
{
	if (!caught)
		caught = sig;
}

static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

void tern_sig_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART; /* reads and writes go on; the flag is polled */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

int tern_sig_pending(void)
{
	return caught;
}

volatile sig_atomic_t *tern_sig_flag(void)
{
	return &caught;
}

static void mask(int how)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(how, &set, NULL);
}

void tern_sig_block(void)
{
	mask(SIG_BLOCK);
}

void tern_sig_unblock(void)
{
	mask(SIG_UNBLOCK);
}

int tern_sig_exit(const char *cmd)
{
	int sig = caught;
	const char *name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";

	fprintf(stderr, "tern %s: interrupted by %s; no output written\n", cmd, name);
	return 128 + sig;
}
