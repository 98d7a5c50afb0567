/*
 * Audio lengths and the run's cache of them. See audio.h.
 */
#include "channels/ivr/audio.h"

#include <pthread.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/strmap.h"

typedef struct entry {
	char *url;     /* owned; the map's key */
	double seconds;
	char *why;     /* owned; NULL when timed */
} entry;

struct tw_audio_cache {
	/* Customers on several threads play the same menu: one lock for the
	 * map and the entries, held only to look up or add. */
	pthread_mutex_t lock;
	tw_strmap map; /* url -> index in entries */
	entry *entries;
	size_t count, cap;
};

tw_audio_cache *tw_audio_cache_new(void)
{
	tw_audio_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

void tw_audio_cache_free(tw_audio_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->count; i++) {
		free(c->entries[i].url);
		free(c->entries[i].why);
	}
	free(c->entries);
	tw_strmap_free(&c->map);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

bool tw_audio_cache_get(tw_audio_cache *c, const char *url, double *seconds,
			char why[TW_AUDIO_WHY_SIZE])
{
	size_t i;
	pthread_mutex_lock(&c->lock);
	bool found = tw_strmap_get(&c->map, url, &i);
	if (found) {
		*seconds = c->entries[i].seconds;
		if (why)
			snprintf(why, TW_AUDIO_WHY_SIZE, "%s",
				 c->entries[i].why ? c->entries[i].why : "");
	}
	pthread_mutex_unlock(&c->lock);
	return found;
}

int tw_audio_cache_put(tw_audio_cache *c, const char *url, double seconds, const char *why)
{
	entry e = {.url = strdup(url), .seconds = seconds, .why = why ? strdup(why) : NULL};
	if (!e.url || (why && !e.why)) {
		free(e.url);
		free(e.why);
		return TW_ENOMEM;
	}
	pthread_mutex_lock(&c->lock);
	int rc = TW_OK;
	bool found = false;
	if (tw_array_grow(&c->entries, &c->cap, c->count + 1, sizeof(*c->entries)))
		rc = TW_ENOMEM;
	else if ((rc = tw_strmap_put(&c->map, e.url, c->count, &found, NULL)) == TW_OK && !found)
		c->entries[c->count++] = e;
	pthread_mutex_unlock(&c->lock);
	if (rc != TW_OK || found) {
		free(e.url);
		free(e.why);
	}
	return rc;
}

size_t tw_audio_cache_count(tw_audio_cache *c)
{
	pthread_mutex_lock(&c->lock);
	size_t n = c->count;
	pthread_mutex_unlock(&c->lock);
	return n;
}

/* ---- reading a file from memory ---- */

typedef struct memfile {
	const unsigned char *data;
	sf_count_t len, pos;
	sf_count_t size; /* issue 14, F3: what the file's size is said to be
			    (the server's Content-Length; >= len): bytes past
			    len read as nothing */
} memfile;

static sf_count_t mem_length(void *user)
{
	return ((memfile *)user)->size;
}

static sf_count_t mem_seek(sf_count_t offset, int whence, void *user)
{
	memfile *m = user;
	sf_count_t to = whence == SEEK_SET ? offset : whence == SEEK_CUR ? m->pos + offset
									: m->size + offset;
	if (to < 0 || to > m->size)
		return -1;
	m->pos = to;
	return m->pos;
}

static sf_count_t mem_read(void *ptr, sf_count_t count, void *user)
{
	memfile *m = user;
	if (m->pos >= m->len)
		return 0;
	sf_count_t n = count < m->len - m->pos ? count : m->len - m->pos;
	if (n > 0) {
		memcpy(ptr, m->data + m->pos, (size_t)n);
		m->pos += n;
	}
	return n > 0 ? n : 0;
}

/* Read only: libsndfile never writes a file opened SFM_READ. */
static sf_count_t mem_write(const void *ptr, sf_count_t count, void *user)
{
	(void)ptr;
	(void)count;
	(void)user;
	return 0;
}

static sf_count_t mem_tell(void *user)
{
	return ((memfile *)user)->pos;
}

/* The length of data (len bytes of a file of size bytes); its format in
 * *format. */
static double duration_of(const void *data, size_t len, size_t size, int *format,
			  char why[TW_AUDIO_WHY_SIZE])
{
	if (!data || len == 0) {
		snprintf(why, TW_AUDIO_WHY_SIZE, "an empty answer");
		return -1;
	}
	memfile m = {.data = data, .len = (sf_count_t)len,
		     .size = (sf_count_t)(size > len ? size : len)};
	SF_VIRTUAL_IO io = {mem_length, mem_seek, mem_read, mem_write, mem_tell};
	SF_INFO info = {0};
	SNDFILE *f = sf_open_virtual(&io, SFM_READ, &info, &m);
	if (!f) {
		int n = snprintf(why, TW_AUDIO_WHY_SIZE, "not audio libsndfile can read: %s",
				 sf_strerror(NULL));
		/* its sentence ends inside a note's parentheses */
		if (n > 0 && n < TW_AUDIO_WHY_SIZE && why[n - 1] == '.')
			why[n - 1] = '\0';
		return -1;
	}
	sf_close(f);
	*format = info.format & SF_FORMAT_TYPEMASK;
	if (info.samplerate <= 0 || info.frames <= 0) {
		snprintf(why, TW_AUDIO_WHY_SIZE, "no samples in it");
		return -1;
	}
	why[0] = '\0';
	return (double)info.frames / info.samplerate;
}

double tw_audio_duration(const void *data, size_t len, char why[TW_AUDIO_WHY_SIZE])
{
	int format;
	return duration_of(data, len, len, &format, why);
}

/* issue 14, F3: WAV, FLAC and Ogg state their length in their headers
 * (read with the declared size, so the header's length is not cut to the
 * bytes kept); MP3 has none, so its kept part's length is scaled by the
 * share of the file kept. */
double tw_audio_duration_prefix(const void *data, size_t kept, size_t size,
				bool *estimated, char why[TW_AUDIO_WHY_SIZE])
{
	int format = 0;
	*estimated = false;
	if (size > kept) {
		double s = duration_of(data, kept, size, &format, why);
		if (s >= 0 && format != SF_FORMAT_MPEG)
			return s;
	}
	double s = duration_of(data, kept, kept, &format, why);
	if (s < 0)
		return s;
	*estimated = true;
	return size > kept ? s * ((double)size / (double)kept) : s;
}
