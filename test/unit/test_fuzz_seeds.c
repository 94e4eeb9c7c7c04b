/*
 * test_fuzz_seeds.c
 *	  Replays the fuzzers' seed corpus (test/fuzz/corpus/{specs,user,sync}) with
 *	  the same entry points the fuzzers use, so every inputs that once
 *	  crashed stays covered by the ordinary test run (no clang needed).
 *
 * usage: test_fuzz_seeds CORPUS_DIR
 */
#define LLVMFuzzerTestOneInput ea_fuzz_specs_one
#include "../fuzz/fuzz_specs.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput ea_fuzz_user_one
#include "../fuzz/fuzz_user.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput ea_fuzz_deep_one
#include "../fuzz/fuzz_deep.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput ea_fuzz_persist_one
#include "../fuzz/fuzz_persist.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput ea_fuzz_userwalk_one
#include "../fuzz/fuzz_userwalk.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput ea_fuzz_sync_one
#include "../fuzz/fuzz_sync.c"
#undef LLVMFuzzerTestOneInput

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

static int
replay_dir(const char *dir, int (*one) (const uint8_t *, size_t))
{
	DIR		   *d = opendir(dir);
	struct dirent *e;
	int			n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
	{
		char		path[1024];
		FILE	   *f;
		long		len;
		uint8_t    *buf;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc((size_t) len + 1);
		if (buf != NULL && fread(buf, 1, (size_t) len, f) == (size_t) len)
		{
			one(buf, (size_t) len);
			n++;
		}
		free(buf);
		fclose(f);
	}
	closedir(d);
	return n;
}

int
main(int argc, char **argv)
{
	char		dir[1024];
	int			specs,
				user,
				deep,
				persist,
				userwalk,
				sync;

	if (argc < 2)
	{
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/specs", argv[1]);
	specs = replay_dir(dir, ea_fuzz_specs_one);
	snprintf(dir, sizeof(dir), "%s/user", argv[1]);
	user = replay_dir(dir, ea_fuzz_user_one);
	snprintf(dir, sizeof(dir), "%s/deep", argv[1]);
	deep = replay_dir(dir, ea_fuzz_deep_one);
	snprintf(dir, sizeof(dir), "%s/persist", argv[1]);
	persist = replay_dir(dir, ea_fuzz_persist_one);
	snprintf(dir, sizeof(dir), "%s/userwalk", argv[1]);
	userwalk = replay_dir(dir, ea_fuzz_userwalk_one);
	snprintf(dir, sizeof(dir), "%s/sync", argv[1]);
	sync = replay_dir(dir, ea_fuzz_sync_one);
	if (specs < 0 || user < 0 || deep < 0 || persist < 0 || userwalk < 0 || sync < 0)
	{
		printf("fuzz seeds: 0 passed, 1 failed (corpus not found)\n");
		return 1;
	}
	/* reaching this line means no input crashed or aborted */
	printf("fuzz seeds: %d passed, 0 failed\n", specs + user + deep + persist + userwalk + sync);
	return 0;
}
