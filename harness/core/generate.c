/*
 * Generated values (core/generate.h): the per-performance random
 * generator, and parsing and making {{seq}}, {{customer}}, {{uuid}},
 * {{random KIND N}}, {{now ...}} and {{today ...}}.
 */
#include "core/generate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* ---- the generator ---- */

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void tw_rng_seed(tw_rng *r, uint64_t seed, uint64_t stream, uint64_t seq)
{
	/* Each number goes through the mixer before the next joins, so
	 * (seed, stream, seq) and (seed, stream + 1, seq - 1) are unrelated. */
	uint64_t x = seed;
	uint64_t h = splitmix(&x);
	x = h ^ stream;
	h = splitmix(&x);
	x = h ^ seq;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&x);
	if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
		r->s[0] = 1; /* xoshiro's one bad state */
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t tw_rng_next(tw_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t tw_rng_below(tw_rng *r, uint64_t n)
{
	if (n <= 1)
		return 0;
	/* Rejection: drop the top values that would favour the low ones. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % n;
	uint64_t v;
	do
		v = tw_rng_next(r);
	while (v >= limit);
	return v % n;
}

uint64_t tw_seed_draw(void)
{
	uint64_t v = 0;
	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t x = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
		x ^= (uint64_t)getpid() << 32;
		v = splitmix(&x);
	}
	return v & TW_SEED_MAX;
}

void tw_gen_init(tw_gen *g, uint64_t seed, uint64_t stream, uint64_t seq, uint64_t customer)
{
	memset(g, 0, sizeof(*g));
	g->seq = seq;
	g->customer = customer;
	tw_rng_seed(&g->rng, seed, stream, seq);
}

tw_rng *tw_gen_rng(tw_gen *g)
{
	return g ? &g->rng : NULL;
}

/* ---- references ---- */

static const char *const words[] = {"seq", "customer", "uuid", "random", "now", "today"};

static int word_index(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && strncmp(words[i], w, n) == 0)
			return (int)i;
	return -1;
}

bool tw_gen_word(const char *word, size_t n)
{
	return word && word_index(word, n) >= 0;
}

const char *tw_gen_kind_word(tw_gen_kind kind)
{
	return (size_t)kind < sizeof(words) / sizeof(words[0]) ? words[kind] : "?";
}

bool tw_gen_reserved(const char *name)
{
	return name && tw_gen_word(name, strlen(name));
}

const char *tw_gen_reserved_why(const char *name)
{
	static const char *const why[] = {
		"{{seq}} is the performance's number",
		"{{customer}} is the customer's number",
		"{{uuid}} makes a new UUID",
		"{{random KIND N}} makes random text",
		"{{now}} is the time",
		"{{today}} is the date",
	};
	int i = name ? word_index(name, strlen(name)) : -1;
	return i < 0 ? NULL : why[i];
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next blank-separated word of text[*i..n): its start and length. */
static size_t next_word(const char *text, size_t n, size_t *i, size_t *len)
{
	while (*i < n && blank(text[*i]))
		(*i)++;
	size_t start = *i;
	while (*i < n && !blank(text[*i]))
		(*i)++;
	*len = *i - start;
	return start;
}

static int fail(const char **why, size_t *at, const char *msg, size_t where)
{
	*why = msg;
	*at = where;
	return -1;
}

/* [+-]N with a unit s m h d w, at most about a century. */
static int parse_offset(const char *w, size_t n, long long *out)
{
	if (n < 3)
		return -1;
	long long v = 0;
	size_t i = 1;
	for (; i < n - 1; i++) {
		if (!isdigit((unsigned char)w[i]) || i > 10)
			return -1;
		v = v * 10 + (w[i] - '0');
	}
	long long unit;
	switch (w[n - 1]) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case 'w': unit = 7 * 86400; break;
	default: return -1;
	}
	if (v > 3200000000LL / unit)
		return -1;
	*out = (w[0] == '-' ? -1 : 1) * v * unit;
	return 0;
}

/* A strftime format techweek knows the output of: every '%' starts a
 * conversion glibc and POSIX define. Returns the offset of the first bad
 * '%', or n when all are good. */
static size_t bad_conversion(const char *f, size_t n)
{
	static const char known[] = "aAbBcCdDeFgGhHIjklmMnprRsStTuUVwWxXyYzZ%";
	for (size_t i = 0; i < n; i++) {
		if (f[i] != '%')
			continue;
		size_t at = i++;
		while (i < n && strchr("_-0^#", f[i]))
			i++;
		if (i < n && (f[i] == 'E' || f[i] == 'O'))
			i++;
		if (i >= n || !strchr(known, f[i]) || f[i] == '\0')
			return at;
	}
	return n;
}

int tw_gen_parse(const char *text, size_t n, tw_gen_ref *ref, const char **why, size_t *at)
{
	memset(ref, 0, sizeof(*ref));
	size_t i = 0, len;
	size_t start = next_word(text, n, &i, &len);
	int w = word_index(text + start, len);
	if (w < 0)
		return fail(why, at, "not a generated value", start);
	ref->kind = (tw_gen_kind)w;
	size_t arg_len;
	size_t arg = next_word(text, n, &i, &arg_len);
	switch (ref->kind) {
	case TW_GEN_SEQ:
	case TW_GEN_CUSTOMER:
	case TW_GEN_UUID:
		if (arg_len)
			return fail(why, at,
				    ref->kind == TW_GEN_SEQ	 ? "{{seq}} takes nothing after it"
				    : ref->kind == TW_GEN_UUID ? "{{uuid}} takes nothing after it"
								 : "{{customer}} takes nothing after it",
				    arg);
		return 0;
	case TW_GEN_RANDOM: {
		static const char *const kinds[] = {"digits", "letters", "alnum", "hex"};
		if (!arg_len)
			return fail(why, at,
				    "expected {{random KIND N}}: KIND digits, letters, alnum or hex, "
				    "N from 1 to 256, like {{random digits 6}}",
				    arg);
		bool found = false;
		for (size_t k = 0; k < 4 && !found; k++)
			if (strlen(kinds[k]) == arg_len && strncmp(kinds[k], text + arg, arg_len) == 0) {
				ref->random = (tw_random_kind)k;
				found = true;
			}
		if (!found)
			return fail(why, at,
				    "unknown kind of random text: expected digits, letters, alnum or "
				    "hex, like {{random alnum 8}}",
				    arg);
		size_t num_len;
		size_t num = next_word(text, n, &i, &num_len);
		unsigned long v = 0;
		bool ok = num_len > 0 && num_len <= 3;
		for (size_t k = 0; ok && k < num_len; k++) {
			ok = isdigit((unsigned char)text[num + k]);
			v = v * 10 + (unsigned long)(text[num + k] - '0');
		}
		if (!ok || v < 1 || v > 256)
			return fail(why, at,
				    "expected how many characters after the kind: a whole number "
				    "from 1 to 256, like {{random digits 6}}",
				    num_len ? num : n);
		ref->count = (unsigned)v;
		size_t extra_len;
		size_t extra = next_word(text, n, &i, &extra_len);
		if (extra_len)
			return fail(why, at, "{{random KIND N}} takes nothing after N", extra);
		return 0;
	}
	case TW_GEN_NOW:
	case TW_GEN_TODAY: {
		size_t rest = arg;
		if (arg_len && (text[arg] == '+' || text[arg] == '-')) {
			if (parse_offset(text + arg, arg_len, &ref->offset_s))
				return fail(why, at,
					    "expected an offset like +2d, -90m or +1w: a sign, a "
					    "whole number and a unit s, m, h, d or w (at most about a "
					    "century)",
					    arg);
			rest = i;
			while (rest < n && blank(text[rest]))
				rest++;
		}
		if (rest < n) {
			ref->format = text + rest;
			ref->format_len = n - rest;
			if (ref->format_len > TW_GEN_FORMAT_MAX)
				return fail(why, at, "the format is longer than 128 bytes", rest);
			/* issue 13, F4: text without a conversion is a mistyped offset
			 * ({{now 2d}}, {{now +1d +2h}}), never a constant to send */
			if (!memchr(ref->format, '%', ref->format_len))
				return fail(why, at,
					    "expected an offset like +2d or a strftime format like "
					    "%Y-%m-%d",
					    rest);
			size_t bad = bad_conversion(ref->format, ref->format_len);
			if (bad < ref->format_len)
				return fail(why, at,
					    "unknown conversion in the format: expected one of "
					    "strftime's, like %Y-%m-%d or %H:%M (%% for a '%')",
					    rest + bad);
		}
		return 0;
	}
	}
	return fail(why, at, "not a generated value", start);
}

/* A random byte stream: the performance's generator, or getrandom. */
static uint64_t draw(tw_gen *g)
{
	if (g)
		return tw_rng_next(&g->rng);
	uint64_t v;
	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20);
		v = splitmix(&x);
	}
	return v;
}

static uint64_t draw_below(tw_gen *g, uint64_t n)
{
	if (g)
		return tw_rng_below(&g->rng, n);
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, v;
	do
		v = draw(NULL);
	while (v >= limit);
	return v % n;
}

int tw_gen_append(tw_buf *b, tw_gen *g, const tw_gen_ref *ref, tw_error *err)
{
	switch (ref->kind) {
	case TW_GEN_SEQ:
	case TW_GEN_CUSTOMER:
		if (!g)
			return tw_error_set(err, TW_ECHECK,
					    "{{%s}} has no value here: it numbers a performance, and "
					    "none is under way",
					    tw_gen_kind_word(ref->kind));
		return tw_buf_printf(b, "%llu",
				     (unsigned long long)(ref->kind == TW_GEN_SEQ ? g->seq
										   : g->customer));
	case TW_GEN_UUID: {
		unsigned char u[16];
		uint64_t a = draw(g), c = draw(g);
		memcpy(u, &a, 8);
		memcpy(u + 8, &c, 8);
		u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
		u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 9562 variant */
		return tw_buf_printf(b,
				     "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
				     "%02x%02x%02x%02x%02x%02x",
				     u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
				     u[11], u[12], u[13], u[14], u[15]);
	}
	case TW_GEN_RANDOM: {
		static const char *const sets[] = {
			"0123456789",
			"abcdefghijklmnopqrstuvwxyz",
			"abcdefghijklmnopqrstuvwxyz0123456789",
			"0123456789abcdef",
		};
		const char *set = sets[ref->random];
		uint64_t size = strlen(set);
		char out[256];
		for (unsigned i = 0; i < ref->count && i < sizeof(out); i++)
			out[i] = set[draw_below(g, size)];
		return tw_buf_append(b, out, ref->count);
	}
	case TW_GEN_NOW:
	case TW_GEN_TODAY: {
		time_t t = g && g->fixed_clock ? g->clock : time(NULL);
		t += (time_t)ref->offset_s;
		struct tm tm;
		if (!gmtime_r(&t, &tm))
			return tw_error_set(err, TW_ECHECK, "the time is out of range");
		char fmt[TW_GEN_FORMAT_MAX + 1];
		if (ref->format)
			snprintf(fmt, sizeof(fmt), "%.*s", (int)ref->format_len, ref->format);
		else
			snprintf(fmt, sizeof(fmt), "%s",
				 ref->kind == TW_GEN_NOW ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d");
		char out[TW_GEN_VALUE_MAX];
		size_t n = strftime(out, sizeof(out), fmt, &tm);
		if (n == 0 && fmt[0])
			return tw_error_set(err, TW_ECHECK,
					    "{{%s %s}} makes more than %d bytes",
					    ref->kind == TW_GEN_NOW ? "now" : "today", fmt,
					    TW_GEN_VALUE_MAX - 1);
		return tw_buf_append(b, out, n);
	}
	}
	return tw_error_set(err, TW_EINTERNAL, "unknown generated value");
}
