/*
 * Merging the JSON results of shards: the input is one to four parts,
 * separated by NUL bytes, merged from memory (tw_run_merge_texts), which
 * reads no script: each rehearsal's plan is rebuilt from the parts. A run
 * that loads is scored, as `techweek merge` does.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "readiness/score.h"
#include "reports/json.h"
#include "techweek.h"

#define MAX_PARTS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_span chunks[MAX_PARTS];
	size_t n = fuzz_chunks((fuzz_span){(const char *)data, size}, chunks, MAX_PARTS);
	static const char *const names[MAX_PARTS] = {"part1.json", "part2.json", "part3.json",
						     "part4.json"};
	const char *texts[MAX_PARTS];
	size_t lens[MAX_PARTS];
	for (size_t i = 0; i < n; i++) {
		texts[i] = chunks[i].p;
		lens[i] = chunks[i].n;
	}
	tw_run *run = NULL;
	tw_error err = {0};
	if (tw_run_merge_texts(&run, names, texts, lens, n, &err) == TW_OK) {
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
	return 0;
}
