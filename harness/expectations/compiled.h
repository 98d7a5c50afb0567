/*
 * An expectation's regex, XPath and JSON query compiled once, when the
 * run takes the script (tw_script_compile), and used by every performance
 * on every worker thread until the script is freed. Only a text without
 * templates is known before a performance: a templated one is expanded
 * and compiled per evaluation, as ever. A text that does not compile is
 * left as it is, so evaluation fails it with the words it always had.
 */
#ifndef TW_EXPECTATIONS_COMPILED_H
#define TW_EXPECTATIONS_COMPILED_H

#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>
#include <libxml/xpath.h>
#include <stdbool.h>

#include "expectations/jsonpath.h"
#include "expectations/regex.h"
#include "language/ast.h"

typedef struct tw_xpath_pool tw_xpath_pool;

struct tw_expect_code {
	tw_regex *regex;      /* `~ /pattern/`; read-only, shared */
	tw_jsonpath *query;   /* `json QUERY`; read-only, shared */
	tw_xpath_pool *xpath; /* `xpath EXPR`: one compiled copy per thread
				 evaluating it at once (compiled.c says why) */
	tw_regex **filter_regex; /* per filter: the pattern of `regex` or
				    `replace /re/`, or NULL; read-only, shared */
	size_t filter_count;
};

/* Compiles what ex's regex, XPath and JSON query written without templates
 * can have compiled into ex->code (left NULL when there is nothing).
 * Returns TW_OK, or TW_ENOMEM (ex->code then NULL). */
int tw_expect_compile(tw_expect *ex, tw_error *err);
void tw_expect_code_free(tw_expect_code *code);

/* The first error libxml2 raised while compiling or evaluating an XPath:
 * its code, the byte in the expression where it stopped, and its message
 * as a sentence goes on ("invalid expression"). */
typedef struct tw_xpath_error {
	bool raised;
	int code;
	int offset;
	char message[200];
} tw_xpath_error;

/* libxml2's error handler that fills the tw_xpath_error data points to,
 * keeping the first: for a context's own handler (ctx->error) or, where
 * the message text is wanted, the thread's structured one (before 2.12
 * libxml2 gives the context's handler no message text). */
#if LIBXML_VERSION >= 21200
void tw_xpath_collect_error(void *data, const xmlError *e);
#else
void tw_xpath_collect_error(void *data, xmlErrorPtr e);
#endif

/* Compiles expr with libxml2, quietly: its errors go to a handler of this
 * call's own, never to one of the process or the thread. NULL when expr
 * does not compile, with *code libxml2's error code (XML_XPATH_...) and
 * *offset the byte in expr where it stopped (0 when it did not say), or
 * when memory ran out (*code XML_ERR_NO_MEMORY or XML_XPATH_MEMORY_ERROR).
 * *code is 0 when libxml2 gave no reason. code and offset may be NULL. Free with xmlXPathFreeCompExpr. */
xmlXPathCompExprPtr tw_xpath_compile(const char *expr, int *code, int *offset);

/* A compiled copy of the pool's XPath for this thread alone, or NULL when
 * memory ran out (the caller then evaluates the text). Give it back with
 * tw_xpath_give once the evaluation is over. */
xmlXPathCompExprPtr tw_xpath_take(tw_xpath_pool *pool);
void tw_xpath_give(tw_xpath_pool *pool, xmlXPathCompExprPtr comp);

#endif
