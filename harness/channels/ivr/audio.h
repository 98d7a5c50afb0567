/*
 * How long the IVR's audio takes, as a caller lives it (issue 14, AUDIO).
 *
 * A <Play> or <audio> holds the caller for the length of its file: the
 * call clock needs that length, which only the file itself knows. The
 * call fetches each audio URL before the document that plays it runs
 * (call.h, "Resources"), and this module reads the length from the bytes
 * with libsndfile (WAV, FLAC, Ogg/Vorbis, Opus, MP3: whatever the
 * installed libsndfile decodes; Debian 12's 1.2.0 reads MPEG layer III).
 *
 * The lengths are kept run-wide in a tw_audio_cache the run owns, so that
 * a URL every call plays is fetched once per run, as a carrier caches
 * its media: the cache is shared by the run's threads and locks itself.
 */
#ifndef TW_IVR_AUDIO_H
#define TW_IVR_AUDIO_H

#include <stdbool.h>
#include <stddef.h>

#include "techweek/error.h"

/* What a carrier does with a file it cannot time or fetch: it plays
 * silence or skips it; a rehearsal counts this long and says so. */
#define TW_CALL_AUDIO_DEFAULT_S 3.0
/* The reason a file could not be timed, as a note quotes it. */
#define TW_AUDIO_WHY_SIZE 160

typedef struct tw_audio_cache tw_audio_cache;

/* NULL on out of memory. Freed by tw_audio_cache_free (NULL is fine). */
tw_audio_cache *tw_audio_cache_new(void);
void tw_audio_cache_free(tw_audio_cache *cache);

/* The length of url's audio when the cache knows it: true with *seconds
 * (negative when the file could not be fetched or read, and why then
 * gets the reason; why may be NULL). */
bool tw_audio_cache_get(tw_audio_cache *cache, const char *url, double *seconds,
			char why[TW_AUDIO_WHY_SIZE]);

/* Keeps url's length (negative: unreadable, why saying why; why may be
 * NULL otherwise). The first answer for a URL stays: two calls that met
 * it at once both fetched it, and either answer is the file's. TW_OK or
 * TW_ENOMEM. Strings are copied. */
int tw_audio_cache_put(tw_audio_cache *cache, const char *url, double seconds, const char *why);

/* How many URLs the cache holds. */
size_t tw_audio_cache_count(tw_audio_cache *cache);

/* The length in seconds of the audio file in data (len bytes), read from
 * memory; negative when libsndfile cannot read it, with why filled ("not
 * audio libsndfile can read: ...", "no samples"). */
double tw_audio_duration(const void *data, size_t len, char why[TW_AUDIO_WHY_SIZE]);

/* issue 14, F3: the length of a file of which only the first kept bytes
 * came (the rest was past --max-body); size: the whole file's bytes (the
 * server's Content-Length), 0 when unknown. A header that states the
 * length (WAV, FLAC, Ogg) gives it exactly; otherwise (MP3, or no size
 * known) *estimated is set: the kept part's length, scaled by size / kept
 * when size is known. Negative with why as tw_audio_duration. */
double tw_audio_duration_prefix(const void *data, size_t kept, size_t size,
				bool *estimated, char why[TW_AUDIO_WHY_SIZE]);

#endif
