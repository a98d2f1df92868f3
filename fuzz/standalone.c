/* SPDX-License-Identifier: MIT */
/*
 * Replays files through a fuzz target without libFuzzer, so the ordinary
 * compiler builds every target and `make check` runs each over its corpus
 * (the way jansson and mod_auth_openidc do). Arguments are files or
 * folders; a folder's regular files are replayed in name order.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"

static int
replay_file(const char *path)
{
	FILE		*fp;
	uint8_t		*buf = NULL;
	size_t		 len = 0, cap = 0, n;
	uint8_t		 chunk[65536];

	if ((fp = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (len + n > cap) {
			cap = (len + n) * 2;
			if ((buf = realloc(buf, cap)) == NULL) {
				fclose(fp);
				return -1;
			}
		}
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput(buf ? buf : (const uint8_t *)"", len);
	free(buf);
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	struct stat	 st;
	struct dirent	*e;
	DIR		*d;
	char		**names, path[4096];
	size_t		 n, cap, i;
	int		 k, files = 0;

	for (k = 1; k < argc; k++) {
		if (stat(argv[k], &st) != 0) {
			perror(argv[k]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (replay_file(argv[k]) != 0)
				return 1;
			files++;
			continue;
		}
		if ((d = opendir(argv[k])) == NULL)
			return 1;
		names = NULL;
		n = cap = 0;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				names = realloc(names, cap * sizeof(*names));
			}
			names[n++] = strdup(e->d_name);
		}
		closedir(d);
		if (n > 0)
			qsort(names, n, sizeof(*names), cmp);
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/%s", argv[k], names[i]);
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				if (replay_file(path) != 0)
					return 1;
				files++;
			}
			free(names[i]);
		}
		free(names);
	}
	printf("%s: %d inputs replayed\n", argv[0], files);
	return 0;
}
