/*
 * Compiling an expectation's regex, XPath and JSON query once per script
 * (expectations/compiled.h).
 *
 * Sharing between worker threads. A tw_regex is PCRE2 code and a match
 * context, which pcre2_match only reads (match data is per call); a
 * tw_jsonpath is a list of segments that selecting only reads. libxml2's
 * compiled XPath is not read-only: in the 2.9 series (Debian 12 ships
 * 2.9.14) xmlXPathCompOpEval stores the function a call resolves to into
 * the step that makes the call (op->cache, op->cacheURI). On 2.9.14 one
 * xmlXPathCompiledEval of `count(//li)` changes 5 bytes of the compiled
 * steps, of `//li[position()=2]` 6 (compared byte by byte before and
 * after), so threads sharing one xmlXPathCompExpr would race on them and
 * libxml2 documents no such sharing as safe. So an XPath is a pool of
 * compiled copies: an evaluation takes one no other thread holds, compiling
 * a new one only when every copy is in use, and gives it back. A run thus
 * compiles an XPath at most as many times as worker threads evaluate it at
 * the same moment (--jobs), whatever the number of performances: what a
 * copy per worker loop would give, without telling every evaluation which
 * worker runs it. The lock is held for a pointer's push or pop, never
 * during a compile or an evaluation.
 */
#include "expectations/compiled.h"

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>

#include "core/array.h"
#include "core/template.h"

struct tw_xpath_pool {
	pthread_mutex_t lock;
	char *expr;
	xmlXPathCompExprPtr *idle; /* copies no thread holds */
	size_t count, cap;
};

#if LIBXML_VERSION >= 21200
void tw_xpath_collect_error(void *data, const xmlError *e)
#else
void tw_xpath_collect_error(void *data, xmlErrorPtr e)
#endif
{
	tw_xpath_error *x = data;
	if (x->raised || !e)
		return; /* the first error is the one that stopped it */
	x->raised = true;
	x->code = e->code;
	x->offset = e->int1;
	snprintf(x->message, sizeof(x->message), "%s", e->message ? e->message : "");
	size_t n = strlen(x->message);
	while (n && isspace((unsigned char)x->message[n - 1]))
		x->message[--n] = '\0';
	/* It goes mid-sentence: "Invalid expression" -> "invalid expression". */
	if (isupper((unsigned char)x->message[0]) && islower((unsigned char)x->message[1]))
		x->message[0] = (char)tolower((unsigned char)x->message[0]);
}

xmlXPathCompExprPtr tw_xpath_compile(const char *expr, int *code, int *offset)
{
	tw_xpath_error x = {0};
	xmlXPathCompExprPtr comp = NULL;
	xmlXPathContextPtr ctx = xmlXPathNewContext(NULL);
	if (!ctx)
		x = (tw_xpath_error){.code = XML_ERR_NO_MEMORY, .raised = true};
	if (ctx) {
		ctx->error = tw_xpath_collect_error;
		ctx->userData = &x;
		/* libxml2 reports some failed allocations (its dictionary's)
		 * only as the thread's last error, and the compile then fails
		 * as if the expression were bad. */
		xmlResetLastError();
		comp = xmlXPathCtxtCompile(ctx, (const xmlChar *)expr);
		const xmlError *last = xmlGetLastError();
		if (!comp && last && last->code == XML_ERR_NO_MEMORY)
			x = (tw_xpath_error){.code = XML_ERR_NO_MEMORY, .raised = true};
		xmlXPathFreeContext(ctx);
	}
	if (code)
		*code = comp || !x.raised ? 0 : x.code;
	if (offset)
		*offset = comp || !x.raised || x.offset < 0 ? 0 : x.offset;
	return comp;
}

static void pool_free(tw_xpath_pool *pool)
{
	if (!pool)
		return;
	for (size_t i = 0; i < pool->count; i++)
		xmlXPathFreeCompExpr(pool->idle[i]);
	free(pool->idle);
	free(pool->expr);
	pthread_mutex_destroy(&pool->lock);
	free(pool);
}

/* A pool holding the first copy, or NULL with *oom told apart from an
 * expression that does not compile. */
static tw_xpath_pool *pool_new(const char *expr, bool *oom)
{
	*oom = false;
	xmlXPathCompExprPtr comp = tw_xpath_compile(expr, NULL, NULL);
	if (!comp)
		return NULL; /* evaluation says why, in its words */
	tw_xpath_pool *pool = calloc(1, sizeof(*pool));
	if (!pool || pthread_mutex_init(&pool->lock, NULL) != 0) {
		free(pool);
		xmlXPathFreeCompExpr(comp);
		*oom = true;
		return NULL;
	}
	pool->expr = strdup(expr);
	if (!pool->expr || tw_array_grow(&pool->idle, &pool->cap, 1, sizeof(*pool->idle))) {
		xmlXPathFreeCompExpr(comp);
		pool_free(pool);
		*oom = true;
		return NULL;
	}
	pool->idle[0] = comp;
	pool->count = 1;
	return pool;
}

xmlXPathCompExprPtr tw_xpath_take(tw_xpath_pool *pool)
{
	xmlXPathCompExprPtr comp = NULL;
	pthread_mutex_lock(&pool->lock);
	if (pool->count)
		comp = pool->idle[--pool->count];
	pthread_mutex_unlock(&pool->lock);
	return comp ? comp : tw_xpath_compile(pool->expr, NULL, NULL);
}

void tw_xpath_give(tw_xpath_pool *pool, xmlXPathCompExprPtr comp)
{
	if (!comp)
		return;
	pthread_mutex_lock(&pool->lock);
	if (tw_array_grow(&pool->idle, &pool->cap, pool->count + 1, sizeof(*pool->idle)) == TW_OK) {
		pool->idle[pool->count++] = comp;
		comp = NULL;
	}
	pthread_mutex_unlock(&pool->lock);
	xmlXPathFreeCompExpr(comp); /* no room to keep it: the next take compiles */
}

void tw_expect_code_free(tw_expect_code *code)
{
	if (!code)
		return;
	tw_regex_free(code->regex);
	tw_jsonpath_free(code->query);
	pool_free(code->xpath);
	for (size_t i = 0; code->filter_regex && i < code->filter_count; i++)
		tw_regex_free(code->filter_regex[i]);
	free(code->filter_regex);
	free(code);
}

/* A filter's pattern, when it has one written without templates. */
static bool filter_pattern(const tw_filter *f)
{
	bool pattern = f->arg.kind == TW_VAL_REGEX ||
		       (f->kind == TW_FILTER_REGEX && f->arg.kind == TW_VAL_STRING);
	return pattern && !tw_template_has_refs(f->arg.text);
}

int tw_expect_compile(tw_expect *ex, tw_error *err)
{
	tw_expect_code_free(ex->code);
	ex->code = NULL;
	const tw_value *v = &ex->value;
	bool regex = ex->op == TW_OP_MATCHES && v->kind == TW_VAL_REGEX &&
		     !tw_template_has_refs(v->text);
	bool query = ex->subject == TW_SUBJ_JSON && ex->arg && !tw_template_has_refs(ex->arg);
	bool xpath = ex->subject == TW_SUBJ_XPATH && ex->arg && !tw_template_has_refs(ex->arg);
	bool filters = false;
	for (size_t i = 0; i < ex->filter_count; i++)
		filters = filters || filter_pattern(&ex->filters[i]);
	if (!regex && !query && !xpath && !filters)
		return TW_OK;

	tw_expect_code *code = calloc(1, sizeof(*code));
	if (!code)
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	tw_error e = {0};
	int rc = TW_OK;
	/* A text that does not compile stays uncompiled: only memory fails. */
	if (regex && tw_regex_compile(&code->regex, v->text, v->flags, &e) == TW_ENOMEM)
		rc = TW_ENOMEM;
	if (query && rc == TW_OK && tw_jsonpath_compile(&code->query, ex->arg, &e) == TW_ENOMEM)
		rc = TW_ENOMEM;
	bool oom = false;
	if (xpath && rc == TW_OK && !(code->xpath = pool_new(ex->arg, &oom)) && oom)
		rc = TW_ENOMEM;
	if (filters && rc == TW_OK) {
		code->filter_count = ex->filter_count;
		if (!(code->filter_regex = calloc(ex->filter_count, sizeof(*code->filter_regex))))
			rc = TW_ENOMEM;
		for (size_t i = 0; rc == TW_OK && i < ex->filter_count; i++) {
			const tw_filter *f = &ex->filters[i];
			if (filter_pattern(f) &&
			    tw_regex_compile(&code->filter_regex[i], f->arg.text,
					     f->arg.kind == TW_VAL_REGEX && f->arg.flags ? f->arg.flags
											 : "",
					     &e) == TW_ENOMEM)
				rc = TW_ENOMEM;
		}
	}
	bool any_filter = false;
	for (size_t i = 0; code->filter_regex && i < code->filter_count; i++)
		any_filter = any_filter || code->filter_regex[i];
	tw_error_clear(&e);
	if (rc == TW_OK && !code->regex && !code->query && !code->xpath && !any_filter) {
		tw_expect_code_free(code);
		return TW_OK;
	}
	if (rc) {
		tw_expect_code_free(code);
		return tw_error_set(err, TW_ENOMEM, "out of memory");
	}
	ex->code = code;
	return TW_OK;
}
