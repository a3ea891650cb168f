/*
 * cfglive.c - the settings in force, and CONFIG SET.
 *
 * Publication.  The settings are one immutable snapshot (a config_t) that
 * server_cfg() returns with one acquire load.  CONFIG SET, on whichever
 * worker its connection lives, builds the next snapshot off to the side:
 * every pair validated (config_set_pairs), then the side effects that can
 * fail (the file limit for maxclients, listening sockets for port and
 * bind), and only then publishes it with one release store.  A reader sees
 * all the pairs of a CONFIG SET or none of them, as under Redis's single
 * thread, and an integer and a string take the same (no) care.
 *
 * Reclaiming.  A reader uses the pointer it loaded for the rest of its
 * actor turn at most, never across messages.  So once every worker has run
 * a turn that began after the store, nobody holds the old snapshot: RCU
 * whose quiescent states are actor turns.  CONFIG SET sends one message to
 * every worker's agent actor (conn_agent.c), which also applies the change
 * to that worker's connections (parser limits, idle check); the last agent
 * to handle it frees the old snapshot.  The mailboxes order the free after
 * every reader, and ThreadSanitizer sees that order.
 *
 * Why this and not:
 *  - an atomic per integer: strings (requirepass) would still need a scheme
 *    of their own, and readers could see half of a multi-pair CONFIG SET;
 *  - liburcu: every worker would have to register, and the qsbr flavour go
 *    offline around each epoll wait, inside the actor runtime, which knows
 *    nothing of the server; and TSan cannot see liburcu's barriers;
 *  - a copy per worker updated by its agent: CONFIG SET could answer only
 *    once every worker has applied it, while commands pipelined behind it
 *    on the same connection must already see the new values.
 *
 * Writers (CONFIG SET) are serialised by one mutex: rare, never on a hot
 * path.  Threads that are not workers (main) read srv.cfg, the settings as
 * started, which nothing writes after start.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <ck_pr.h>

#include "cfglive.h"
#include "acceptor.h"
#include "net/conn/agent.h"
#include "net/core/log.h"
#include "store/base/errors.h"

#define MIN_RESERVED_FDS 32 /* Redis's CONFIG_MIN_RESERVED_FDS */

/* A settings snapshot replaced by CONFIG SET, freed by the last agent. */
typedef struct cfglive_retired {
	config_t *old;
	int pending;            /* agents yet to handle it */
	struct cfglive_retired *next, *prev;
} cfglive_retired_t;

static pthread_mutex_t wlock = PTHREAD_MUTEX_INITIALIZER;
static cfglive_retired_t *retired; /* under wlock: not yet freed */

int cfglive_init(void)
{
	config_t *c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	memcpy(c, &srv.cfg, sizeof(*c));
	srv.live = c;
	return 0;
}

void cfglive_fini(void)
{
	while (retired) {
		cfglive_retired_t *r = retired;
		retired = r->next;
		free(r->old);
		free(r);
	}
	free(srv.live);
	srv.live = NULL;
}

/* An agent has applied the settings that replaced @arg (a retired
 * snapshot): the last one frees it. */
static void synced(void *arg)
{
	cfglive_retired_t *r = arg;
	bool last;
	ck_pr_dec_int_zero(&r->pending, &last);
	if (!last)
		return;
	pthread_mutex_lock(&wlock);
	if (r->prev)
		r->prev->next = r->next;
	else
		retired = r->next;
	if (r->next)
		r->next->prev = r->prev;
	pthread_mutex_unlock(&wlock);
	free(r->old);
	free(r);
}

unsigned cfglive_adjust_nofile(unsigned maxclients)
{
	rlim_t maxfiles = (rlim_t)maxclients + MIN_RESERVED_FDS;
	struct rlimit lim;

	if (getrlimit(RLIMIT_NOFILE, &lim) == -1) {
		log_warning("Unable to obtain the current NOFILE limit (%s), "
			    "assuming 1024 and setting the max clients "
			    "configuration accordingly.", strerror(errno));
		return 1024 - MIN_RESERVED_FDS;
	}
	rlim_t oldlimit = lim.rlim_cur;
	if (oldlimit >= maxfiles)
		return maxclients;
	/* As Redis: the highest limit the system takes, stepping down by 16
	 * from what we want (soft and hard limit alike). */
	rlim_t best = maxfiles;
	int error = 0;
	while (best > oldlimit) {
		lim.rlim_cur = best;
		lim.rlim_max = best;
		if (setrlimit(RLIMIT_NOFILE, &lim) != -1)
			break;
		error = errno;
		if (best < 16) {
			best = oldlimit;
			break;
		}
		best -= 16;
	}
	if (best < oldlimit)
		best = oldlimit;
	if (best >= maxfiles) {
		log_notice("Increased maximum number of open files to %llu (it "
			   "was originally set to %llu).",
			   (unsigned long long)maxfiles,
			   (unsigned long long)oldlimit);
		return maxclients;
	}
	unsigned got = best > MIN_RESERVED_FDS
		? (unsigned)(best - MIN_RESERVED_FDS) : 0;
	log_warning("You requested maxclients of %u requiring at least %llu "
		    "max file descriptors.", maxclients,
		    (unsigned long long)maxfiles);
	log_warning("Server can't set maximum open files to %llu because of "
		    "OS error: %s.", (unsigned long long)maxfiles,
		    strerror(error));
	log_warning("Current maximum open files is %llu. maxclients has been "
		    "reduced to %u to compensate for low ulimit. If you need "
		    "higher maxclients increase 'ulimit -n'.",
		    (unsigned long long)best, got);
	return got;
}

/* The side effects of a CONFIG SET that may fail, run before the new
 * snapshot is published, in the order the parameters were named (as
 * Redis's apply functions).  0, or -1 with @why set for @*culprit. */
typedef struct apply {
	acceptor_set_t *listeners; /* opened for port / bind, to commit */
} apply_t;

static int run_applies(const config_t *cur, const config_t *next,
		       const char *const *set, int n, apply_t *ap,
		       const char **culprit, char *why, size_t whylen)
{
	bool files_done = false, listen_done = false;

	for (int i = 0; i < n; i++) {
		const char *name = set[i];
		if (!strcmp(name, "maxclients") && !files_done) {
			files_done = true;
			if (next->maxclients == cur->maxclients)
				continue;
			unsigned got = cfglive_adjust_nofile(next->maxclients);
			if (got != next->maxclients) {
				snprintf(why, whylen, "The operating system is "
					 "not able to handle the specified "
					 "number of clients, try with %u", got);
				*culprit = name;
				return -1;
			}
		} else if ((!strcmp(name, "port") || !strcmp(name, "bind")) &&
			   !listen_done) {
			listen_done = true;
			bool same = next->port == cur->port &&
				next->bind_count == cur->bind_count;
			for (int b = 0; same && b < cur->bind_count; b++)
				same = !strcmp(next->bind[b], cur->bind[b]);
			if (same)
				continue;
			char err[256];
			if (acceptor_prepare(next, &ap->listeners, err,
					     sizeof(err)) < 0) {
				log_warning("%s", err);
				snprintf(why, whylen, "%s", !strcmp(name, "port")
					 ? "Unable to listen on this port. "
					   "Check server logs."
					 : "Failed to bind to specified "
					   "addresses.");
				*culprit = name;
				return -1;
			}
		}
	}
	return 0;
}

/* Effects that cannot fail, once @next is in force. */
static void after_publish(const config_t *cur, const config_t *next,
			  apply_t *ap)
{
	if (next->loglevel != cur->loglevel)
		log_set_level(next->loglevel);
	if (next->hz != cur->hz && srv.sweeper) {
		act_msg_t *m = act_msg_new(sizeof(*m), MSG_HZ);
		if (m)
			act_send(srv.sweeper, m);
	}
	if (ap->listeners)
		acceptor_commit(ap->listeners);
}

/* @cur is no longer in force: freed once every agent has had a turn. */
static void retire(config_t *cur)
{
	cfglive_retired_t *r = malloc(sizeof(*r));
	if (!r) {
		/* Leaked rather than ever freed under a reader. */
		log_warning("out of memory retiring old settings");
		conn_config_sync(NULL, NULL);
		return;
	}
	r->old = cur;
	r->pending = srv.nworkers;
	r->prev = NULL;
	r->next = retired;
	if (retired)
		retired->prev = r;
	retired = r;
	conn_config_sync(synced, r);
}

/* CONFIG SET's names and values as NUL-terminated strings, with the
 * arrays config_set_pairs wants: one allocation, for free(). */
typedef struct pairs {
	char **names, **values;
	size_t *vlens;
	const char **set;
} pairs_t;

static void *copy_args(int n, const cmd_arg_t *argv, pairs_t *p)
{
	size_t total = (size_t)n * (3 * sizeof(char *) + sizeof(size_t));
	for (int i = 0; i < 2 * n; i++)
		total += argv[i].len + 1;
	char *buf = malloc(total ? total : 1);
	if (!buf)
		return NULL;
	p->names = (char **)buf;
	p->values = p->names + n;
	p->set = (const char **)(p->values + n);
	p->vlens = (size_t *)(p->set + n);
	char *s = (char *)(p->vlens + n);
	for (int i = 0; i < 2 * n; i++) {
		memcpy(s, argv[i].ptr, argv[i].len);
		s[argv[i].len] = '\0';
		if (i % 2) {
			p->values[i / 2] = s;
			p->vlens[i / 2] = argv[i].len;
		} else {
			p->names[i / 2] = s;
		}
		s += argv[i].len + 1;
	}
	return buf;
}

void cfglive_config_set(reply_t *r, int argc, const cmd_arg_t *argv)
{
	char why[256];
	int n = (argc - 2) / 2;
	pairs_t p;
	size_t errcap = 512; /* names are quoted whole in errors, as Redis */

	if ((argc - 2) % 2) {
		reply_error(r, ERR_SYNTAX);
		return;
	}
	for (int i = 2; i < argc; i += 2)
		errcap = argv[i].len + 512 > errcap ? argv[i].len + 512 : errcap;
	void *buf = copy_args(n, argv + 2, &p);
	config_t *next = malloc(sizeof(*next));
	char *err = malloc(errcap);
	if (!buf || !next || !err) {
		free(buf);
		free(next);
		free(err);
		reply_error(r, ERR_OUT_OF_MEMORY);
		return;
	}

	pthread_mutex_lock(&wlock);
	config_t *cur = srv.live; /* only CONFIG SET writes it: we hold wlock */
	memcpy(next, cur, sizeof(*next));
	int rc = config_set_pairs(next, n, p.names, p.values, p.vlens, p.set,
				  err, errcap);
	apply_t ap = { 0 };
	const char *culprit = NULL;
	if (rc == 0 && run_applies(cur, next, p.set, n, &ap, &culprit, why,
				   sizeof(why)) < 0) {
		log_warning("Failed applying new configuration. Possibly "
			    "related to new %s setting. Restoring previous "
			    "settings.", culprit);
		snprintf(err, errcap, ERRF_CONFIG_SET_FAILED, culprit, why);
		if (ap.listeners)
			acceptor_abort(ap.listeners);
		rc = -EINVAL;
	}
	if (rc == 0) {
		ck_pr_fence_store(); /* the snapshot, before its pointer */
		ck_pr_store_ptr(&srv.live, next);
		after_publish(cur, next, &ap);
		retire(cur);
	}
	pthread_mutex_unlock(&wlock);

	if (rc == 0) {
		reply_ok(r);
	} else {
		free(next);
		reply_error(r, err);
	}
	free(err);
	free(buf);
}
