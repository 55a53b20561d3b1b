/* A main() for fuzz harnesses built without libFuzzer: runs
 * LLVMFuzzerTestOneInput once on every file named on the command line, and on
 * every regular file in each directory named. `make check` replays the corpus
 * this way, so each seed is also a regression test. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path, unsigned *ran)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = -1;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			uint8_t *n = realloc(buf, ncap);
			if (!n) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				goto fail;
			}
			buf = n;
			cap = ncap;
		}
		size_t r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		goto fail;
	}
	/* The exact bytes, not NUL-terminated, as libFuzzer would pass them. */
	LLVMFuzzerTestOneInput(len ? buf : (const uint8_t *)"", len);
	(*ran)++;
	rc = 0;
fail:
	free(buf);
	fclose(f);
	return rc;
}

static int replay_dir(const char *dir, unsigned *ran)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		struct stat st;
		size_t n = strlen(dir) + strlen(de->d_name) + 2;
		char *path = malloc(n);

		if (!path) {
			rc = -1;
			break;
		}
		snprintf(path, n, "%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && replay_file(path, ran) < 0)
			rc = -1;
		free(path);
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned ran = 0;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
		} else if (S_ISDIR(st.st_mode) ? replay_dir(argv[i], &ran) < 0 : replay_file(argv[i], &ran) < 0) {
			rc = 1;
		}
	}
	printf("replay: %u inputs ran\n", ran);
	if (ran == 0)
		rc = 1;
	return rc;
}
