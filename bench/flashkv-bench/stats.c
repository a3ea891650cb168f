/*
 * stats.c - setting up and adding up measurements (stats.h).
 */
#include "stats.h"

#include <errno.h>
#include <string.h>

static int new_hist(hist_t *h)
{
	return hist_init(h, STATS_HIGHEST_NS, 3);
}

int stats_init(stats_t *s, int ncmd)
{
	memset(s, 0, sizeof(*s));
	s->ncmd = ncmd;
	int rc = new_hist(&s->lag);
	for (int i = 0; !rc && i < ncmd; i++) {
		rc = new_hist(&s->cmd[i].corr);
		if (!rc)
			rc = new_hist(&s->cmd[i].raw);
	}
	if (rc)
		stats_fini(s);
	return rc;
}

void stats_fini(stats_t *s)
{
	hist_fini(&s->lag);
	for (int i = 0; i < WL_MAX_CMDS; i++) {
		hist_fini(&s->cmd[i].corr);
		hist_fini(&s->cmd[i].raw);
	}
}

int stats_add(stats_t *dst, const stats_t *src)
{
	if (dst->ncmd != src->ncmd)
		return -EINVAL;
	for (int i = 0; i < src->ncmd; i++) {
		hist_add(&dst->cmd[i].corr, &src->cmd[i].corr);
		hist_add(&dst->cmd[i].raw, &src->cmd[i].raw);
		dst->cmd[i].ok += src->cmd[i].ok;
		dst->cmd[i].err += src->cmd[i].err;
	}
	hist_add(&dst->lag, &src->lag);
	dst->sent += src->sent;
	dst->replies += src->replies;
	dst->conn_errors += src->conn_errors;
	dst->reconnects += src->reconnects;
	dst->unfinished += src->unfinished;
	if (src->last_ns > dst->last_ns)
		dst->last_ns = src->last_ns;
	return 0;
}

void stats_sum(const stats_t *s, hist_t *corr, hist_t *raw)
{
	for (int i = 0; i < s->ncmd; i++) {
		hist_add(corr, &s->cmd[i].corr);
		hist_add(raw, &s->cmd[i].raw);
	}
}

uint64_t stats_ok(const stats_t *s)
{
	uint64_t n = 0;
	for (int i = 0; i < s->ncmd; i++)
		n += s->cmd[i].ok;
	return n;
}

uint64_t stats_answered(const stats_t *s)
{
	uint64_t n = 0;
	for (int i = 0; i < s->ncmd; i++)
		n += s->cmd[i].ok + s->cmd[i].err;
	return n;
}

uint64_t stats_errors(const stats_t *s)
{
	uint64_t n = s->conn_errors + s->unfinished;
	for (int i = 0; i < s->ncmd; i++)
		n += s->cmd[i].err;
	return n;
}

int stats_live_init(stats_live_t *l)
{
	memset(l, 0, sizeof(*l));
	int rc = new_hist(&l->h);
	if (rc)
		return rc;
	rc = -pthread_mutex_init(&l->mu, NULL);
	if (rc)
		hist_fini(&l->h);
	return rc;
}

void stats_live_fini(stats_live_t *l)
{
	pthread_mutex_destroy(&l->mu);
	hist_fini(&l->h);
}

void stats_live_take(stats_live_t *l, hist_t *into, uint64_t *ok, uint64_t *err)
{
	pthread_mutex_lock(&l->mu);
	hist_add(into, &l->h);
	*ok += l->ok;
	*err += l->err;
	hist_reset(&l->h);
	l->ok = l->err = 0;
	pthread_mutex_unlock(&l->mu);
}
