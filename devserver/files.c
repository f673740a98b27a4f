/* files: directories under the dev server's data directory. */
#include "files.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"

int ds_mkdir_p(const char *dir)
{
	char *p = fl_strdup(dir);
	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			fl_free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
	fl_free(p);
	return rc;
}

int ds_mkdir_parents(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return 0;
	char *dir = fl_strndup(path, (size_t)(slash - path));
	int rc = dir ? ds_mkdir_p(dir) : -1;
	fl_free(dir);
	return rc;
}
