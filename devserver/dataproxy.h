/* dataproxy: signed URLs for files under the data directory, for other modules. */
#ifndef DS_DATAPROXY_H
#define DS_DATAPROXY_H

#include "server.h"

/* The longest a signed URL lives: FlyteAdmin's default for uploads and downloads (1h). */
#define DS_SIGNED_URL_MAX_NS (3600LL * 1000000000LL)

/*
 * A signed download URL, base_url + "/files/<path>?token=...", for uri, a file:// URI of a
 * file under the data directory ("file:///abs/data/dir/<path>", not percent-encoded),
 * valid for expires_in_ns (0 or less: DS_SIGNED_URL_MAX_NS; longer is allowed, e.g. for log
 * links that must outlive the API's one-hour limit, and saturates). *url is owned
 * (fl_free it); *expires_at_ns (may be NULL) gets the expiry in ns since the epoch.
 * Returns 0, or -1 when uri is not under the data directory or the token cannot be stored.
 * Thread-safe.
 */
int ds_dataproxy_download_url(char **url, long long *expires_at_ns, ds_server *s, const char *uri,
			      long long expires_in_ns);

/* The data directory as an absolute path without a trailing '/' (valid after init). */
const char *ds_dataproxy_data_dir(void);

#endif
