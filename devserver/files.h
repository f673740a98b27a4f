/* files: directories under the dev server's data directory. */
#ifndef DS_FILES_H
#define DS_FILES_H

/* Creates dir and its missing parents (mode 0755). 0, or -1 with errno set. */
int ds_mkdir_p(const char *dir);
/* Creates the missing parent directories of the file at path. 0 or -1. */
int ds_mkdir_parents(const char *path);

#endif
