/*
 * The phone: a call placed to an IVR whose every answer is the fuzzer's.
 * Built twice, as fuzz_twiml and fuzz_vxml: the call picks the interpreter
 * by the document's root element, so the two differ by their corpus and
 * dictionary, not their code.
 *
 * The input is NUL-separated chunks. With a single chunk it is the one
 * document, answered to every fetch, and the caller's actions are a fixed
 * few. With more, the last chunk is the caller's actions and the others
 * are the documents answered to the fetches in order (the last one again
 * once they run out). An action is one byte: a digit, '*' or '#' presses
 * it, 'w' presses "1w2" (a pause between keys), 's' says "yes", 'S' says
 * an order number with low confidence, '.' stays silent, 'h' hangs up;
 * anything else presses "1#". An action the IVR is not listening for is
 * refused and the next is tried. Turns are bounded: so are calls.
 */
#include <stdlib.h>
#include <string.h>

#include "channels/ivr/call.h"
#include "fuzz.h"

#define MAX_CHUNKS 8
#define MAX_TURNS 64

static void act(tw_call *call, char a, tw_error *err)
{
	char keys[2] = {a, '\0'};
	if ((a >= '0' && a <= '9') || a == '*' || a == '#')
		tw_call_press(call, keys, err);
	else if (a == 'w')
		tw_call_press(call, "1w2", err);
	else if (a == 's')
		tw_call_say(call, "yes", 0.9, err);
	else if (a == 'S')
		tw_call_say(call, "order one zero zero one", 0.2, err);
	else if (a == '.')
		tw_call_silence(call, err);
	else if (a == 'h')
		tw_call_hangup(call, err);
	else
		tw_call_press(call, "1#", err);
	tw_error_clear(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_span chunks[MAX_CHUNKS];
	size_t n = fuzz_chunks((fuzz_span){(const char *)data, size}, chunks, MAX_CHUNKS);
	fuzz_span actions = {"1s.2h", 5};
	size_t docs = n;
	if (n > 1) {
		actions = chunks[n - 1];
		docs = n - 1;
	}

	tw_call_options o = {.from = "+15550100001", .to = "+15550100000",
			     .token = "fuzz-token", .seed = 7};
	tw_call_limits_init(&o.limits);
	tw_call *call = tw_call_new(&o);
	if (!call)
		abort();
	tw_error err = {0};
	if (tw_call_start(call, "http://127.0.0.1:8080/voice", &err) != TW_OK)
		abort();

	size_t fetched = 0, acted = 0;
	for (int turn = 0; turn < MAX_TURNS; turn++) {
		tw_call_state state = tw_call_state_of(call);
		if (state == TW_CALL_ENDED)
			break;
		if (state == TW_CALL_FETCHING) {
			/* The pending request is the call's, freed as the answer
			 * comes: the URL answered from is the fetcher's own. */
			char *url = strdup(tw_call_pending(call)->url);
			if (!url)
				abort();
			fuzz_span doc = chunks[fetched < docs ? fetched : docs - 1];
			fetched++;
			tw_call_document(call, url, 200, "text/xml", doc.p, doc.n, 12.5, &err);
			tw_error_clear(&err);
			free(url);
		} else if (state == TW_CALL_LISTENING) {
			(void)tw_call_listening(call);
			act(call, actions.n ? actions.p[acted++ % actions.n] : 'h', &err);
		} else {
			tw_call_hangup(call, &err);
			tw_error_clear(&err);
		}
	}

	/* What the reports read. */
	tw_call_figures fig;
	tw_call_figures_of(call, &fig);
	for (size_t i = 0; i < tw_call_event_count(call); i++)
		(void)tw_call_event_at(call, i);
	(void)tw_call_last_prompt(call);
	(void)tw_call_transfer(call);
	(void)tw_call_recording(call);
	(void)tw_call_rejected(call);
	(void)tw_call_hung_up(call);
	(void)tw_call_error(call);
	tw_call_free(call);
	return 0;
}
