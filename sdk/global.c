/* Process initialisation and the runtime version. */
#include <curl/curl.h>
#include <pthread.h>

#include "flyte/common.h"
#include "flyte/version.h"

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_refs;

int flyte_global_init(void)
{
	int rc = 0;
	pthread_mutex_lock(&g_lock);
	if (g_refs == 0 && curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
		rc = FLYTE_ERROR;
	if (!rc)
		g_refs++;
	pthread_mutex_unlock(&g_lock);
	return rc;
}

void flyte_global_shutdown(void)
{
	pthread_mutex_lock(&g_lock);
	if (g_refs > 0 && --g_refs == 0)
		curl_global_cleanup();
	pthread_mutex_unlock(&g_lock);
}

const char *flyte_version(void)
{
	return FLYTE_VERSION_STRING;
}

int flyte_version_number(void)
{
	return FLYTE_VERSION_NUMBER;
}
