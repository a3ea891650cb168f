/*
 * test_wl.c - the workload: templates become the RESP requests the
 * project's own parser (net/resp.h) reads back, the mix follows the ratio,
 * and the key distributions have their shape.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "keys.h"
#include "net/proto/resp.h"
#include "wl.h"

static wl_t w;
static keys_t k;

static void setup(uint64_t n, keys_dist_t d, size_t vmin, size_t vmax)
{
	cr_assert_eq(keys_init(&k, d, n, 0.99), 0);
	cr_assert_eq(wl_init(&w, &k, "key:", vmin, vmax, 3), 0);
}

/* Parses the request in @b with the server's parser. */
static void parse(buf_t *b, const resp_arg_t **argv, int *argc)
{
	static resp_parser_t p;
	size_t used = 0;
	resp_parser_init(&p);
	cr_assert_eq(resp_parse(&p, b->data + b->off, buf_avail(b), NULL, argv,
	    argc, &used), RESP_OK);
	cr_assert_eq(used, buf_avail(b), "one request, nothing after it");
}

static bool arg_is(const resp_arg_t *a, const char *s)
{
	return a->len == strlen(s) && !memcmp(a->ptr, s, a->len);
}

Test(wl, literal_template_encodes_like_resp_encode_command)
{
	setup(100, KEYS_UNIFORM, 3, 3);
	cr_assert_eq(wl_add_template(&w, "SET foo \"a b\\n\" ''", NULL, 1), 0);
	cr_assert_eq(wl_finish(&w), 0);
	cr_assert_str_eq(w.cmd[0].name, "SET");
	wl_gen_t g;
	buf_t b = {0};
	wl_gen_init(&w, &g, 1, 0, 1);
	cr_assert_eq(wl_emit(&w, &g, &b), 0);
	resp_arg_t args[] = {{"SET", 3}, {"foo", 3}, {"a b\n", 4}, {"", 0}};
	char want[128];
	size_t n = resp_encode_command(want, sizeof(want), 4, args);
	cr_assert_eq(buf_avail(&b), n);
	cr_assert_eq(memcmp(b.data, want, n), 0);
	buf_free(&b);
	wl_fini(&w);
}

Test(wl, placeholders)
{
	setup(1000, KEYS_UNIFORM, 10, 20);
	cr_assert_eq(wl_add_template(&w, "HSET h:__rand_int__ f __value__", NULL, 1), 0);
	cr_assert_eq(wl_add_builtin(&w, "mset", 1), 0);
	cr_assert_eq(wl_finish(&w), 0);
	wl_gen_t g;
	wl_gen_init(&w, &g, 7, 0, 1);
	for (int i = 0; i < 2000; i++) {
		buf_t b = {0};
		const resp_arg_t *argv;
		int argc;
		int ci = wl_emit(&w, &g, &b);
		parse(&b, &argv, &argc);
		if (ci == 0) {
			cr_assert_eq(argc, 4);
			cr_assert(arg_is(&argv[0], "HSET"));
			cr_assert_eq(argv[1].len, 2 + 12);
			cr_assert_eq(memcmp(argv[1].ptr, "h:000000000", 11), 0);
			cr_assert(argv[3].len >= 10 && argv[3].len <= 20);
		} else {
			cr_assert_eq(argc, 1 + 2 * 3);
			cr_assert(arg_is(&argv[0], "MSET"));
			for (int a = 1; a < argc; a += 2) {
				cr_assert_eq(argv[a].len, 4 + 12);
				cr_assert_eq(memcmp(argv[a].ptr, "key:", 4), 0);
				char num[13];
				memcpy(num, argv[a].ptr + 4, 12);
				num[12] = 0;
				cr_assert_lt(strtoull(num, NULL, 10), 1000);
			}
		}
		buf_free(&b);
	}
	wl_fini(&w);
}

Test(wl, ratio_sets_the_mix)
{
	setup(100, KEYS_UNIFORM, 3, 3);
	char err[256];
	cr_assert_eq(wl_apply_ratio(&w, "set:get=1:10", 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(wl_finish(&w), 0);
	cr_assert_eq(w.ncmd, 2);
	wl_gen_t g;
	wl_gen_init(&w, &g, 3, 0, 1);
	int n[2] = {0, 0};
	for (int i = 0; i < 110000; i++)
		n[wl_pick(&w, &g)]++;
	cr_assert(n[0] > 9000 && n[0] < 11000, "SET drawn %d times of 110000", n[0]);
	cr_assert_str_eq(w.cmd[0].name, "SET");
	cr_assert_str_eq(w.cmd[1].name, "GET");
	wl_fini(&w);

	setup(100, KEYS_UNIFORM, 3, 3);
	cr_assert_eq(wl_add_template(&w, "PING", NULL, 1), 0);
	cr_assert_eq(wl_add_template(&w, "ECHO x", NULL, 1), 0);
	cr_assert_eq(wl_apply_ratio(&w, "c2:incr=3:1", 2, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(wl_finish(&w), 0);
	cr_assert_eq(w.ncmd, 2, "c1 has no weight and leaves the mix");
	cr_assert_str_eq(w.cmd[0].name, "ECHO");
	cr_assert_str_eq(w.cmd[1].name, "INCR");
	wl_fini(&w);

	setup(100, KEYS_UNIFORM, 3, 3);
	cr_assert_eq(wl_apply_ratio(&w, "set:get=1", 0, err, sizeof(err)), -EINVAL);
	cr_assert_eq(wl_apply_ratio(&w, "foo:get=1:1", 0, err, sizeof(err)), -EINVAL);
	cr_assert_eq(wl_apply_ratio(&w, "c3=1", 2, err, sizeof(err)), -EINVAL);
	cr_assert_eq(wl_add_template(&w, "SET \"unbalanced", NULL, 1), -EINVAL);
	cr_assert_eq(wl_add_template(&w, "   ", NULL, 1), -EINVAL);
	wl_fini(&w);
}

Test(keys, distributions)
{
	enum { N = 1000, DRAWS = 200000 };
	static uint64_t hits[N];
	rng_t r;
	keys_cursor_t c;
	rng_seed(&r, 9);

	cr_assert_eq(keys_init(&k, KEYS_SEQ, N, 0), 0);
	keys_cursor_init(&k, &c, 1, 2);
	cr_assert_eq(keys_next(&k, &c, &r), N / 2);
	cr_assert_eq(keys_next(&k, &c, &r), N / 2 + 1);

	cr_assert_eq(keys_init(&k, KEYS_ZIPF, N, 0.99), 0);
	memset(hits, 0, sizeof(hits));
	for (int i = 0; i < DRAWS; i++) {
		uint64_t x = keys_next(&k, &c, &r);
		cr_assert_lt(x, N);
		hits[x]++;
	}
	/* Zipf 0.99 over 1000 keys: the hottest key gets ~13%, key 10 about
	 * a tenth of that, and the hot end beats the cold end by far. */
	cr_assert(hits[0] > DRAWS / 10 && hits[0] < DRAWS / 6, "hits[0] %llu",
	    (unsigned long long)hits[0]);
	cr_assert(hits[0] > 5 * hits[9] && hits[9] > 5 * hits[500]);

	cr_assert_eq(keys_init(&k, KEYS_UNIFORM, N, 0), 0);
	memset(hits, 0, sizeof(hits));
	for (int i = 0; i < DRAWS; i++)
		hits[keys_next(&k, &c, &r)]++;
	for (int i = 0; i < N; i++)
		cr_assert(hits[i] > 100 && hits[i] < 320, "uniform key %d: %llu", i,
		    (unsigned long long)hits[i]);

	keys_dist_t d;
	double th = 0;
	cr_assert_eq(keys_parse_dist("zipf:0.5", &d, &th), 0);
	cr_assert_eq(d, KEYS_ZIPF);
	cr_assert_eq(th, 0.5);
	cr_assert_eq(keys_parse_dist("zipf:1.5", &d, &th), -EINVAL);
	cr_assert_eq(keys_parse_dist("gauss", &d, &th), -EINVAL);
	cr_assert_eq(keys_init(&k, KEYS_UNIFORM, 0, 0), -EINVAL);
}

Test(keys, format)
{
	char out[20];
	cr_assert_eq(keys_format(42, out), 12);
	cr_assert_eq(memcmp(out, "000000000042", 12), 0);
	cr_assert_eq(keys_format(1234567890123ull, out), 13);
	cr_assert_eq(memcmp(out, "1234567890123", 13), 0);
}
