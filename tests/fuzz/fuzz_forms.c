/*
 * The HTML form code: a page and what a customer does on it. The input is
 * action lines, a blank line, then the page (an input with no blank line
 * is a page with no actions). The page is parsed the way a response is
 * (tw_response_doc); the actions are, one a line:
 *   fill FIELD=VALUE   choose FIELD=OPTION (empty FIELD: any select)
 *   tick FIELD         untick FIELD        (FIELD may be NAME=VALUE)
 *   submit BUTTON      (empty: pressing Enter)
 *   click TEXT
 * Last, the form as left is submitted with Enter, and the page's text,
 * title and base URL are read, as the expectations would.
 */
#include <stdlib.h>
#include <string.h>

#include "channels/web/forms.h"
#include "channels/web/html.h"
#include "channels/web/request.h"
#include "channels/web/response.h"
#include "fuzz.h"

#define PAGE_URL "http://127.0.0.1:8080/pizza/margherita"
#define MAX_ACTIONS 16

static int starts(fuzz_span s, const char *word, fuzz_span *arg)
{
	size_t n = strlen(word);
	if (s.n < n || memcmp(s.p, word, n) != 0)
		return 0;
	arg->p = s.p + n;
	arg->n = s.n - n;
	return 1;
}

/* arg split at its first '=': *name and *value malloc'd. */
static void split(fuzz_span arg, char **name, char **value)
{
	const char *eq = memchr(arg.p, '=', arg.n);
	size_t n = eq ? (size_t)(eq - arg.p) : arg.n;
	*name = fuzz_str((fuzz_span){arg.p, n});
	*value = fuzz_str(eq ? (fuzz_span){eq + 1, arg.n - n - 1} : (fuzz_span){"", 0});
}

static void perform(xmlDocPtr doc, fuzz_span line, xmlNodePtr *form, tw_http_request *req)
{
	tw_error err = {0};
	fuzz_span arg;
	char *a = NULL, *b = NULL;
	if (starts(line, "fill ", &arg)) {
		split(arg, &a, &b);
		tw_form_fill(doc, a, b, form, &err);
	} else if (starts(line, "choose ", &arg)) {
		split(arg, &a, &b);
		tw_form_choose(doc, *a ? a : NULL, b, form, &err);
	} else if (starts(line, "tick ", &arg) || starts(line, "untick ", &arg)) {
		a = fuzz_str(arg);
		tw_form_tick(doc, a, line.p[0] == 't', form, &err);
	} else if (starts(line, "submit", &arg)) {
		a = fuzz_str(arg.n && arg.p[0] == ' ' ? (fuzz_span){arg.p + 1, arg.n - 1} : arg);
		tw_form_submit(doc, PAGE_URL, *a ? a : NULL, *form, req, &err);
	} else if (starts(line, "click ", &arg)) {
		a = fuzz_str(arg);
		tw_html_click(doc, PAGE_URL, a, 0, NULL, req, &err);
	}
	tw_error_clear(&err);
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_span rest = {(const char *)data, size}, line;
	fuzz_span actions[MAX_ACTIONS];
	size_t count = 0;
	int blank = 0;
	while (fuzz_line(&rest, &line)) {
		if (line.n == 0) {
			blank = 1;
			break;
		}
		if (count < MAX_ACTIONS)
			actions[count++] = line;
	}
	if (!blank) { /* no blank line: all of it is the page */
		rest = (fuzz_span){(const char *)data, size};
		count = 0;
	}

	tw_response resp;
	tw_response_init(&resp, 8u << 20);
	resp.status = 200;
	resp.url = strdup(PAGE_URL);
	resp.content_type = strdup("text/html; charset=utf-8");
	if (!resp.url || !resp.content_type || tw_buf_append(&resp.body, rest.p, rest.n) != TW_OK)
		abort();
	xmlDocPtr doc = tw_response_doc(&resp);
	if (doc) {
		tw_http_request req = {0};
		tw_error err = {0};
		xmlNodePtr form = NULL;
		for (size_t i = 0; i < count; i++)
			perform(doc, actions[i], &form, &req);
		tw_form_submit(doc, PAGE_URL, NULL, form, &req, &err);
		tw_error_clear(&err);
		tw_http_request_free(&req);
		free(tw_html_title(doc));
		free(tw_html_base_url(doc, PAGE_URL));
	}
	(void)tw_response_text(&resp);
	tw_response_free(&resp);
	return 0;
}
