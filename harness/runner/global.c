/*
 * tw_global_init/tw_global_cleanup (include/techweek/global.h): libcurl's
 * process-wide set-up behind a counter, as libgit2 does it. The counter is
 * the engine's one piece of process state; it exists because libcurl's is
 * process state, and a mutex keeps two threads from setting it up at once.
 */
#include "techweek/global.h"

#include <curl/curl.h>
#include <libxml/parser.h>
#include <pthread.h>

#include "techweek/error.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int users;

int tw_global_init(void)
{
	pthread_mutex_lock(&lock);
	int n = users;
	if (n == 0) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			pthread_mutex_unlock(&lock);
			return -TW_EINTERNAL;
		}
		xmlInitParser();
	}
	n = ++users;
	pthread_mutex_unlock(&lock);
	return n;
}

int tw_global_cleanup(void)
{
	pthread_mutex_lock(&lock);
	if (users > 0 && --users == 0)
		curl_global_cleanup();
	int n = users;
	pthread_mutex_unlock(&lock);
	return n;
}
