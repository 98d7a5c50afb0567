/*
 * Generated values (issue 13, GEN): the template references that make a
 * value instead of reading one.
 *
 *   {{seq}}                 the performance's number in its rehearsal, from 1
 *   {{customer}}            the customer's number, from 1 to --customers
 *   {{uuid}}                a new random UUID (version 4)
 *   {{random KIND N}}       N (1..256) random digits, letters, alnum or hex
 *   {{now [OFFSET] [FMT]}}  the time, UTC; ISO 8601 by default
 *   {{today [OFFSET] [FMT]}} the date, UTC; %Y-%m-%d by default
 *
 * OFFSET is [+-]N with a unit s m h d w; FMT is a strftime format, the rest
 * of the braces.
 *
 * Randomness comes from a tw_gen: one per performance, seeded from (the
 * run's seed, the rehearsal's place in the run, seq), so values never depend on which thread
 * ran the performance or when; the same seed gives the same values. The
 * runner attaches a performance's tw_gen to the customer's variables
 * (tw_vars_set_gen), where tw_template_expand finds it through the base
 * chain. A data row drawn at random (`cast from ... random`) is picked
 * before the performance's tw_gen exists: runner/rows.c seeds a tw_rng
 * of its own with tw_rng_seed(run seed, TW_ROWS_STREAM + the rehearsal's
 * index before sharding, seq), so --seed makes it reproducible too,
 * sharded or not, and unrelated to the performance's own draws.
 *
 * A tw_gen is used by one thread at a time (its customer's); it holds no
 * pointer and needs no freeing.
 */
#ifndef TW_CORE_GENERATE_H
#define TW_CORE_GENERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/buf.h"
#include "techweek/error.h"
#include "techweek/vars.h"

/* The most a --seed may be: 2^53 - 1, so every JSON reader reads the
 * seed recorded in settings.seed exactly. */
#define TW_SEED_MAX ((1ULL << 53) - 1)

/* xoshiro256**: small, fast, and good enough for test data (not for
 * keys). */
typedef struct tw_rng {
	uint64_t s[4];
} tw_rng;

/* Seeds r from the three numbers (mixed with splitmix64, so nearby
 * numbers give unrelated streams). */
void tw_rng_seed(tw_rng *r, uint64_t seed, uint64_t stream, uint64_t seq);
uint64_t tw_rng_next(tw_rng *r);
/* A number from 0 to n - 1, unbiased (n >= 1). */
uint64_t tw_rng_below(tw_rng *r, uint64_t n);

/* A seed from getrandom(2) (the clock and pid when it fails), from 0 to
 * TW_SEED_MAX. */
uint64_t tw_seed_draw(void);

/* One performance's context. */
typedef struct tw_gen {
	uint64_t seq;      /* the performance's number in its rehearsal, from 1 */
	uint64_t customer; /* the customer's number, from 1 */
	tw_rng rng;
	bool fixed_clock;  /* tests: {{now}} and {{today}} read `clock` */
	time_t clock;
} tw_gen;

/* The context of performance seq of a rehearsal, by customer, in a run of
 * seed. stream tells the run's rehearsals apart (the runner gives its
 * place in the lineup, the order the rehearsals were added, sharded or
 * not), so two rehearsals never draw the same values. */
void tw_gen_init(tw_gen *g, uint64_t seed, uint64_t stream, uint64_t seq, uint64_t customer);
/* The performance's random generator, for other per-performance draws. */
tw_rng *tw_gen_rng(tw_gen *g);

/* ---- references ---- */

typedef enum tw_gen_kind {
	TW_GEN_SEQ,
	TW_GEN_CUSTOMER,
	TW_GEN_UUID,
	TW_GEN_RANDOM,
	TW_GEN_NOW,
	TW_GEN_TODAY,
} tw_gen_kind;

typedef enum tw_random_kind {
	TW_RANDOM_DIGITS,
	TW_RANDOM_LETTERS,
	TW_RANDOM_ALNUM,
	TW_RANDOM_HEX,
} tw_random_kind;

/* A generated reference, parsed. */
typedef struct tw_gen_ref {
	tw_gen_kind kind;
	tw_random_kind random; /* TW_GEN_RANDOM */
	unsigned count;        /* TW_GEN_RANDOM: 1..256 */
	long long offset_s;    /* now/today: seconds to add */
	const char *format;    /* now/today: the strftime format (points into
				  the template; not NUL-terminated), or NULL */
	size_t format_len;
} tw_gen_ref;

/* The most bytes a format may have, and a value made from one. */
#define TW_GEN_FORMAT_MAX 128
#define TW_GEN_VALUE_MAX 1024

/* True when word (n bytes) is a generated reference's word: seq,
 * customer, uuid, random, now, today. These names are reserved: no cast
 * entry, capture, data column, --var or use parameter may take them. */
bool tw_gen_word(const char *word, size_t n);
/* The word of kind: "seq", "customer", ... */
const char *tw_gen_kind_word(tw_gen_kind kind);
bool tw_gen_reserved(const char *name);
/* Why name is reserved, for messages: "{{seq}} is the performance's
 * number", ... (NULL when it is not). */
const char *tw_gen_reserved_why(const char *name);

/* Parses the inside of {{ }} (text, n bytes, blanks trimmed), which starts
 * with a generated reference's word. 0, or -1 with *why and *at (the
 * byte offset in text of what is wrong). */
int tw_gen_parse(const char *text, size_t n, tw_gen_ref *ref, const char **why, size_t *at);

/* Appends ref's value to b. g may be NULL (outside a performance): then
 * {{now}} and {{today}} read the clock, {{uuid}} and {{random}} draw from
 * getrandom, and {{seq}} and {{customer}} are TW_ECHECK (there is no
 * performance to number). TW_OK, TW_ECHECK with err, or a tw_buf
 * failure. */
int tw_gen_append(tw_buf *b, tw_gen *g, const tw_gen_ref *ref, tw_error *err);

/* Attaches g (borrowed; NULL detaches) to vars: tw_template_expand with
 * vars, or with any set over it, makes generated values with g. In
 * core/vars.c. */
void tw_vars_set_gen(tw_vars *vars, tw_gen *g);
/* The tw_gen attached to vars or the nearest of its bases, or NULL. */
tw_gen *tw_vars_gen(const tw_vars *vars);

#endif
