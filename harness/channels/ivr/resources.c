/*
 * The collectors: the static URLs a document refers to, so the call can
 * fetch them before the document runs (call.h, "Resources"; issue 14,
 * AUDIO). One per dialect, covering every kind of resource it has: what
 * an element computes (VoiceXML expr, srcexpr) is not known before it
 * runs and is left to the interpreter.
 */
#include <string.h>

#include "channels/ivr/call.h"

static bool named(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static int found_attr(xmlNodePtr n, const char *attr, tw_call_res_kind kind,
		      tw_call_ref_fn *found, void *ctx)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)attr);
	if (!v)
		return TW_OK;
	int rc = TW_OK;
	const char *s = (const char *)v;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s && !(kind == TW_RES_GRAMMAR && strncmp(s, "builtin:", 8) == 0))
		rc = found(ctx, kind, s, xmlGetLineNo(n));
	xmlFree(v);
	return rc;
}

/* <Play> anywhere (top level, inside <Gather>): its text is a URL unless
 * it plays digits. */
static int twiml_walk(xmlNodePtr n, tw_call_ref_fn *found, void *ctx)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		int rc = TW_OK;
		if (named(n, "Play") && !xmlHasProp(n, (const xmlChar *)"digits")) {
			xmlChar *raw = xmlNodeGetContent(n);
			if (!raw)
				return TW_ENOMEM;
			/* The interpreter's text: whitespace at the ends goes. */
			char *s = (char *)raw, *e = s + strlen(s);
			while (*s && strchr(" \t\r\n", *s))
				s++;
			while (e > s && strchr(" \t\r\n", e[-1]))
				*--e = '\0';
			if (*s)
				rc = found(ctx, TW_RES_AUDIO, s, xmlGetLineNo(n));
			xmlFree(raw);
		} else {
			rc = twiml_walk(n->children, found, ctx);
		}
		if (rc)
			return rc;
	}
	return TW_OK;
}

int tw_twiml_resources(xmlDocPtr doc, tw_call_ref_fn *found, void *ctx)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	return root ? twiml_walk(root->children, found, ctx) : TW_OK;
}

/* ---- issue 14, SRGS ---- */

/* <ruleref uri="other.grxml#r">: other.grxml (a local "#r" is no fetch). */
static int found_ruleref(xmlNodePtr n, tw_call_ref_fn *found, void *ctx)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)"uri");
	if (!v)
		return TW_OK;
	char *hash = strchr((char *)v, '#');
	if (hash)
		*hash = '\0';
	int rc = *v ? found(ctx, TW_RES_GRAMMAR, (const char *)v, xmlGetLineNo(n)) : TW_OK;
	xmlFree(v);
	return rc;
}

static int srgs_walk(xmlNodePtr n, tw_call_ref_fn *found, void *ctx)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		int rc = named(n, "ruleref") ? found_ruleref(n, found, ctx)
					     : srgs_walk(n->children, found, ctx);
		if (rc)
			return rc;
	}
	return TW_OK;
}

int tw_srgs_resources(xmlDocPtr doc, tw_call_ref_fn *found, void *ctx)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	return root ? srgs_walk(root->children, found, ctx) : TW_OK;
}

static int vxml_walk(xmlNodePtr n, tw_call_ref_fn *found, void *ctx)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		int rc = TW_OK;
		if (named(n, "audio"))
			rc = found_attr(n, "src", TW_RES_AUDIO, found, ctx);
		else if (named(n, "grammar"))
			rc = found_attr(n, "src", TW_RES_GRAMMAR, found, ctx);
		else if (named(n, "script"))
			rc = found_attr(n, "src", TW_RES_SCRIPT, found, ctx);
		else if (named(n, "ruleref")) /* issue 14, SRGS: inline grammars' */
			rc = found_ruleref(n, found, ctx);
		if (rc == TW_OK)
			rc = vxml_walk(n->children, found, ctx);
		if (rc)
			return rc;
	}
	return TW_OK;
}

int tw_vxml_resources(xmlDocPtr doc, tw_call_ref_fn *found, void *ctx)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (!root)
		return TW_OK;
	/* The root document first: its scripts run before the document's. */
	int rc = found_attr(root, "application", TW_RES_APPLICATION, found, ctx);
	return rc ? rc : vxml_walk(root->children, found, ctx);
}
