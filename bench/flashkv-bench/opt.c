/*
 * opt.c - parsing the command line into opt_t and the workload (opt.h).
 */
#include "opt.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void opt_usage(FILE *f)
{
	fputs(
"usage: flashkv-bench [options]\n"
"Measures the latency of a RESP server (FlashKV, redis-server) honestly.\n"
"\n"
"Target\n"
"  -h, --host HOST          server host (127.0.0.1)\n"
"  -p, --port PORT          server port (6379)\n"
"      --label NAME         name of the server in reports (HOST:PORT)\n"
"      --resp3              send HELLO 3 first on every connection\n"
"Load\n"
"  -c, --connections N      connections in total (50)\n"
"      --threads T          driver threads, one epoll loop each (1)\n"
"  -P, --pipeline P         requests in flight per connection (1)\n"
"  -R, --rate RATE          open loop: requests/s in total, e.g. 20k; each\n"
"                           request has an intended send time and latency\n"
"                           counts from it (corrected).  Without --rate:\n"
"                           closed loop, like redis-benchmark\n"
"      --duration TIME      measure for TIME (10s; also 500ms, 2m)\n"
"  -n, --requests N         measure N requests instead of a duration\n"
"  -w, --warmup TIME        run, unmeasured, before measuring\n"
"                           (1s with --duration, 0 with -n)\n"
"      --drain TIME         wait this long for the last replies (2s)\n"
"Workload\n"
"  -t, --tests LIST         built-ins: get,set,incr,mget,mset,ping\n"
"      --ratio A:B=x:y      weighted mix, e.g. set:get=1:10 (the default);\n"
"                           c1, c2 ... name the --command templates\n"
"      --command TEMPLATE   any command; placeholders __key__ (prefix +\n"
"                           12-digit index), __rand_int__, __value__\n"
"                           (alias __data__); repeatable\n"
"  -r, --keyspace N         keys (100000)\n"
"      --dist D             uniform | zipf[:THETA] (0.99) | seq\n"
"  -d, --value-size N|A-B   value bytes, fixed or uniform in A..B (3)\n"
"      --key-prefix S       (key:)\n"
"      --mget-keys N        keys per MGET/MSET (10)\n"
"      --fill               SET every key once before measuring\n"
"      --seed N             random seed (1)\n"
"Modes\n"
"      --compare HOST:PORT  the same workload against a second server,\n"
"                           in alternating rounds; ratios in the table\n"
"      --compare-label NAME\n"
"      --rounds N           rounds per server (3 with --compare, else 1)\n"
"      --sweep              raise the rate step by step to saturation and\n"
"                           report throughput against p99 and p99.9\n"
"      --sweep-steps N      (8)\n"
"      --sweep-max RATE     highest rate (default: 1.2 x a closed-loop probe)\n"
"Output\n"
"  -q, --quiet              no progress line every second\n"
"      --json FILE          everything, as JSON\n"
"      --hgrm FILE          HdrHistogram percentile distribution text\n"
"      --plot FILE          latency by percentile (.png .svg .pdf) via gnuplot;\n"
"                           without gnuplot, FILE.gp is written to plot later\n"
"      --title TEXT         plot title\n"
"      --help\n", f);
}

/* "10", "10s", "250ms", "2m" -> seconds.  -1 if malformed. */
static double parse_time(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	if (!*end || !strcmp(end, "s"))
		return v;
	if (!strcmp(end, "ms"))
		return v / 1000;
	if (!strcmp(end, "us"))
		return v / 1e6;
	if (!strcmp(end, "m"))
		return v * 60;
	return -1;
}

/* "20000", "20k", "1.5M" -> number.  -1 if malformed. */
static double parse_count(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	if (!*end)
		return v;
	if (!strcmp(end, "k") || !strcmp(end, "K"))
		return v * 1e3;
	if (!strcmp(end, "M"))
		return v * 1e6;
	return -1;
}

static int parse_hostport(const char *s, char *host, size_t hl, int *port)
{
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s || (size_t)(colon - s) >= hl)
		return -EINVAL;
	/* [::1]:6379 */
	const char *h = s, *he = colon;
	if (*h == '[' && he[-1] == ']') {
		h++;
		he--;
	}
	memcpy(host, h, (size_t)(he - h));
	host[he - h] = 0;
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || p < 1 || p > 65535)
		return -EINVAL;
	*port = (int)p;
	return 0;
}

enum {
	O_THREADS = 256, O_DURATION, O_DRAIN, O_RATIO, O_COMMAND, O_DIST,
	O_KEY_PREFIX, O_MGET_KEYS, O_FILL, O_RESP3, O_SEED, O_JSON, O_HGRM,
	O_PLOT, O_TITLE, O_COMPARE, O_CMP_LABEL, O_ROUNDS, O_LABEL, O_SWEEP,
	O_SWEEP_STEPS, O_SWEEP_MAX, O_HELP,
};

static const struct option longopts[] = {
	{"host", required_argument, 0, 'h'},
	{"port", required_argument, 0, 'p'},
	{"connections", required_argument, 0, 'c'},
	{"clients", required_argument, 0, 'c'},
	{"threads", required_argument, 0, O_THREADS},
	{"pipeline", required_argument, 0, 'P'},
	{"rate", required_argument, 0, 'R'},
	{"duration", required_argument, 0, O_DURATION},
	{"requests", required_argument, 0, 'n'},
	{"warmup", required_argument, 0, 'w'},
	{"drain", required_argument, 0, O_DRAIN},
	{"tests", required_argument, 0, 't'},
	{"ratio", required_argument, 0, O_RATIO},
	{"command", required_argument, 0, O_COMMAND},
	{"keyspace", required_argument, 0, 'r'},
	{"dist", required_argument, 0, O_DIST},
	{"value-size", required_argument, 0, 'd'},
	{"key-prefix", required_argument, 0, O_KEY_PREFIX},
	{"mget-keys", required_argument, 0, O_MGET_KEYS},
	{"fill", no_argument, 0, O_FILL},
	{"resp3", no_argument, 0, O_RESP3},
	{"seed", required_argument, 0, O_SEED},
	{"quiet", no_argument, 0, 'q'},
	{"json", required_argument, 0, O_JSON},
	{"hgrm", required_argument, 0, O_HGRM},
	{"plot", required_argument, 0, O_PLOT},
	{"title", required_argument, 0, O_TITLE},
	{"compare", required_argument, 0, O_COMPARE},
	{"compare-label", required_argument, 0, O_CMP_LABEL},
	{"rounds", required_argument, 0, O_ROUNDS},
	{"label", required_argument, 0, O_LABEL},
	{"sweep", no_argument, 0, O_SWEEP},
	{"sweep-steps", required_argument, 0, O_SWEEP_STEPS},
	{"sweep-max", required_argument, 0, O_SWEEP_MAX},
	{"help", no_argument, 0, O_HELP},
	{0, 0, 0, 0},
};

static int bad(const char *what, const char *arg)
{
	fprintf(stderr, "flashkv-bench: bad %s '%s' (see --help)\n", what, arg);
	return -EINVAL;
}

static int parse_int(const char *s, long lo, long hi, int *out)
{
	double v = parse_count(s);
	if (v < lo || v > hi || v != (double)(long)v)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static int parse_value_size(const char *s, size_t *lo, size_t *hi)
{
	char *end;
	unsigned long a = strtoul(s, &end, 10), b = a;
	if (end == s)
		return -EINVAL;
	if (*end == '-') {
		const char *t = end + 1;
		b = strtoul(t, &end, 10);
		if (end == t)
			return -EINVAL;
	}
	if (*end || a > b || b > 512ul * 1024 * 1024)
		return -EINVAL;
	*lo = a;
	*hi = b;
	return 0;
}

static int one(opt_t *o, int c, const char *a, bool *warmup_set, bool *rounds_set)
{
	double v;
	switch (c) {
	case 'h':
		if (strlen(a) >= sizeof(o->host))
			return bad("host", a);
		strcpy(o->host, a);
		return 0;
	case 'p':
		return parse_int(a, 1, 65535, &o->port) ? bad("port", a) : 0;
	case 'c':
		return parse_int(a, 1, 100000, &o->conns) ? bad("connections", a) : 0;
	case O_THREADS:
		return parse_int(a, 1, 1024, &o->threads) ? bad("threads", a) : 0;
	case 'P':
		return parse_int(a, 1, 100000, &o->pipeline) ? bad("pipeline", a) : 0;
	case 'R':
		v = parse_count(a);
		if (!(v > 0))
			return bad("rate", a);
		o->rate = v;
		return 0;
	case O_DURATION:
		v = parse_time(a);
		if (!(v > 0))
			return bad("duration", a);
		o->duration = v;
		return 0;
	case 'n':
		v = parse_count(a);
		if (!(v >= 1))
			return bad("request count", a);
		o->requests = (uint64_t)v;
		return 0;
	case 'w':
		v = parse_time(a);
		if (v < 0)
			return bad("warm-up", a);
		o->warmup = v;
		*warmup_set = true;
		return 0;
	case O_DRAIN:
		v = parse_time(a);
		if (v < 0)
			return bad("drain", a);
		o->drain = v;
		return 0;
	case 't':
		o->tests = a;
		return 0;
	case O_RATIO:
		o->ratio = a;
		return 0;
	case O_COMMAND:
		if (o->ncommands == WL_MAX_CMDS)
			return bad("command (too many)", a);
		o->commands[o->ncommands++] = a;
		return 0;
	case 'r':
		v = parse_count(a);
		if (!(v >= 1 && v <= 1e12))
			return bad("key space", a);
		o->keyspace = (uint64_t)v;
		return 0;
	case O_DIST:
		return keys_parse_dist(a, &o->dist, &o->theta) ? bad("distribution", a) : 0;
	case 'd':
		return parse_value_size(a, &o->vmin, &o->vmax) ? bad("value size", a) : 0;
	case O_KEY_PREFIX:
		if (strlen(a) >= sizeof(o->key_prefix))
			return bad("key prefix", a);
		strcpy(o->key_prefix, a);
		return 0;
	case O_MGET_KEYS:
		return parse_int(a, 1, 100, &o->mget_keys) ? bad("mget keys", a) : 0;
	case O_FILL:
		o->fill = true;
		return 0;
	case O_RESP3:
		o->resp3 = true;
		return 0;
	case O_SEED:
		o->seed = strtoull(a, NULL, 10);
		return 0;
	case 'q':
		o->quiet = true;
		return 0;
	case O_JSON:
		o->json = a;
		return 0;
	case O_HGRM:
		o->hgrm = a;
		return 0;
	case O_PLOT:
		o->plot = a;
		return 0;
	case O_TITLE:
		o->title = a;
		return 0;
	case O_COMPARE:
		o->compare = true;
		return parse_hostport(a, o->cmp_host, sizeof(o->cmp_host),
		    &o->cmp_port) ? bad("compare target (HOST:PORT)", a) : 0;
	case O_CMP_LABEL:
		snprintf(o->cmp_label, sizeof(o->cmp_label), "%s", a);
		return 0;
	case O_LABEL:
		snprintf(o->label, sizeof(o->label), "%s", a);
		return 0;
	case O_ROUNDS:
		*rounds_set = true;
		return parse_int(a, 1, 1000, &o->rounds) ? bad("rounds", a) : 0;
	case O_SWEEP:
		o->sweep = true;
		return 0;
	case O_SWEEP_STEPS:
		return parse_int(a, 2, 100, &o->sweep_steps) ? bad("sweep steps", a) : 0;
	case O_SWEEP_MAX:
		v = parse_count(a);
		if (!(v > 0))
			return bad("sweep max", a);
		o->sweep_max = v;
		return 0;
	default:
		return -EINVAL;
	}
}

int opt_parse(opt_t *o, int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	strcpy(o->host, "127.0.0.1");
	o->port = 6379;
	o->conns = 50;
	o->threads = 1;
	o->pipeline = 1;
	o->drain = 2;
	o->keyspace = 100000;
	o->dist = KEYS_UNIFORM;
	o->theta = 0.99;
	o->vmin = o->vmax = 3;
	o->mget_keys = 10;
	strcpy(o->key_prefix, "key:");
	o->seed = 1;
	o->rounds = 1;
	o->sweep_steps = 8;
	bool warmup_set = false, rounds_set = false;

	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h:p:c:P:R:n:w:t:r:d:q", longopts,
	    NULL)) != -1) {
		if (c == O_HELP) {
			opt_usage(stdout);
			return 1;
		}
		if (c == '?')
			return -EINVAL;
		if (one(o, c, optarg, &warmup_set, &rounds_set))
			return -EINVAL;
	}
	if (optind < argc)
		return bad("argument", argv[optind]);
	if (o->requests && o->duration > 0) {
		fprintf(stderr, "flashkv-bench: --duration and -n exclude each other\n");
		return -EINVAL;
	}
	if (!o->requests && !(o->duration > 0))
		o->duration = 10;
	if (!warmup_set)
		o->warmup = o->requests ? 0 : 1;
	if (o->compare && !rounds_set)
		o->rounds = 3;
	if (o->threads > o->conns)
		o->threads = o->conns;
	if (o->tests && o->ratio) {
		fprintf(stderr, "flashkv-bench: -t and --ratio exclude each other "
		    "(--ratio names the commands itself)\n");
		return -EINVAL;
	}
	if (o->sweep && o->requests) {
		fprintf(stderr, "flashkv-bench: --sweep runs by --duration, not -n\n");
		return -EINVAL;
	}
	if (!o->label[0])
		snprintf(o->label, sizeof(o->label), "%.40s:%d", o->host, o->port);
	if (o->compare && !o->cmp_label[0])
		snprintf(o->cmp_label, sizeof(o->cmp_label), "%.40s:%d",
		    o->cmp_host, o->cmp_port);
	return 0;
}

int opt_build_workload(const opt_t *o, wl_t *w)
{
	keys_t k;
	char err[256];
	int rc = keys_init(&k, o->dist, o->keyspace, o->theta);
	if (!rc)
		rc = wl_init(w, &k, o->key_prefix, o->vmin, o->vmax, o->mget_keys);
	if (rc) {
		fprintf(stderr, "flashkv-bench: workload: %s\n", strerror(-rc));
		return rc;
	}
	for (int i = 0; i < o->ncommands; i++) {
		rc = wl_add_template(w, o->commands[i], NULL, 1);
		if (rc) {
			fprintf(stderr, "flashkv-bench: bad --command '%s'\n", o->commands[i]);
			return rc;
		}
	}
	if (o->tests) {
		char list[256];
		snprintf(list, sizeof(list), "%s", o->tests);
		char *save, *t;
		for (t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (wl_add_builtin(w, t, 1)) {
				fprintf(stderr, "flashkv-bench: unknown test '%s' "
				    "(get set incr mget mset ping)\n", t);
				return -EINVAL;
			}
		}
	}
	const char *ratio = o->ratio;
	if (!ratio && !o->tests && !o->ncommands)
		ratio = "set:get=1:10";
	if (ratio && wl_apply_ratio(w, ratio, o->ncommands, err, sizeof(err))) {
		fprintf(stderr, "flashkv-bench: %s\n", err);
		return -EINVAL;
	}
	rc = wl_finish(w);
	if (rc)
		fprintf(stderr, "flashkv-bench: the workload has no command\n");
	return rc;
}

run_cfg_t opt_run_cfg(const opt_t *o, int t)
{
	run_cfg_t c = {
		.host = t ? o->cmp_host : o->host,
		.port = t ? o->cmp_port : o->port,
		.conns = o->conns,
		.threads = o->threads,
		.pipeline = o->pipeline,
		.rate = o->rate,
		.duration = o->duration,
		.warmup = o->warmup,
		.drain = o->drain,
		.requests = o->requests,
		.resp3 = o->resp3,
		.seed = o->seed,
		.fixed_cmd = -1,
		.progress = !o->quiet,
		.label = t ? o->cmp_label : o->label,
	};
	return c;
}
