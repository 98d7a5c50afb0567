/*
 * Merging the JSON results of shards: the input is one to four parts,
 * separated by NUL bytes. Today tw_run_load_parts reads files, so each
 * part goes into a memory file (memfd) named by its /proc/self/fd path;
 * the plan's script paths are read relative to the current directory (the
 * fuzz suite runs from the source root, so the corpus's plans name real
 * scripts). A run that loads is scored, as `techweek merge` does.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "readiness/score.h"
#include "runner/result.h"
#include "techweek.h"

#define MAX_PARTS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_span chunks[MAX_PARTS];
	size_t n = fuzz_chunks((fuzz_span){(const char *)data, size}, chunks, MAX_PARTS);
	int fds[MAX_PARTS];
	char names[MAX_PARTS][32];
	const char *paths[MAX_PARTS];
	for (size_t i = 0; i < n; i++) {
		fds[i] = memfd_create("part", 0);
		if (fds[i] < 0 || write(fds[i], chunks[i].p, chunks[i].n) != (ssize_t)chunks[i].n)
			abort();
		snprintf(names[i], sizeof(names[i]), "/proc/self/fd/%d", fds[i]);
		paths[i] = names[i];
	}
	tw_run *run = NULL;
	tw_error err = {0};
	if (tw_run_load_parts(&run, paths, n, &err) == TW_OK) {
		tw_readiness_config cfg;
		tw_readiness_config_init(&cfg);
		tw_run_score score;
		if (tw_readiness_score(run, &cfg, &score, &err) == TW_OK)
			tw_run_score_free(&score);
		tw_readiness_config_free(&cfg);
		(void)tw_run_verdict(run);
	}
	tw_error_clear(&err);
	tw_run_free(run);
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	return 0;
}
