/*
 * A WAV for the tests that time audio: 16-bit mono PCM of silence, frames
 * samples at rate Hz. Static: each test program includes this once.
 * malloc'd; *len its size.
 */
#ifndef TW_TEST_WAV_FIXTURE_H
#define TW_TEST_WAV_FIXTURE_H

#include <stdlib.h>
#include <string.h>

static void fixture_le(unsigned char *p, unsigned long v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static unsigned char *fixture_wav(unsigned long rate, unsigned long frames, size_t *len)
{
	*len = 44 + frames * 2;
	unsigned char *w = calloc(1, *len);
	assert_non_null(w);
	memcpy(w, "RIFF", 4);
	fixture_le(w + 4, (unsigned long)*len - 8, 4);
	memcpy(w + 8, "WAVEfmt ", 8);
	fixture_le(w + 16, 16, 4);
	fixture_le(w + 20, 1, 2);
	fixture_le(w + 22, 1, 2);
	fixture_le(w + 24, rate, 4);
	fixture_le(w + 28, rate * 2, 4);
	fixture_le(w + 32, 2, 2);
	fixture_le(w + 34, 16, 2);
	memcpy(w + 36, "data", 4);
	fixture_le(w + 40, frames * 2, 4);
	return w;
}

#endif
