/*
 * writer.c - the background snapshot's file writer thread (writer.h).
 */
#include "writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "persist.h"
#include "rdb_file.h"
#include "net/core/log.h"
#include "net/core/msg.h"

typedef struct item {
	struct item *next;
	rdb_buf_t buf;
	bool last;
} item_t;

struct writer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t more;
	item_t *head, **tail;
	act_actor_t *notify;
	rdbf_t f;
	char dbfilename[256];
	bool checksum, discard;
};

static void tell(writer_t *w, size_t bytes, bool final, bool ok)
{
	snap_written_msg_t *m = (snap_written_msg_t *)act_msg_new(sizeof(*m), MSG_SNAP_WRITTEN);
	if (!m) {
		log_warning("out of memory telling the saver");
		abort(); /* the saver would wait for it forever */
	}
	m->bytes = bytes;
	m->final = final;
	m->ok = ok;
	act_send(w->notify, &m->hdr);
}

static item_t *take(writer_t *w)
{
	pthread_mutex_lock(&w->lock);
	while (!w->head)
		pthread_cond_wait(&w->more, &w->lock);
	item_t *it = w->head;
	w->head = it->next;
	if (!w->head)
		w->tail = &w->head;
	pthread_mutex_unlock(&w->lock);
	return it;
}

static void *run(void *arg)
{
	writer_t *w = arg;
	for (;;) {
		item_t *it = take(w);
		if (it->last) {
			free(it);
			char err[512];
			bool ok;
			if (w->discard) {
				rdbf_abort(&w->f);
				ok = false;
			} else {
				ok = rdbf_commit(&w->f, w->dbfilename, w->checksum,
						 persist__bgsave_cancelled, err,
						 sizeof(err)) == 0;
			}
			tell(w, 0, true, ok);
			return NULL;
		}
		rdbf_write(&w->f, it->buf.p, it->buf.len);
		size_t n = it->buf.len;
		rdb_buf_free(&it->buf);
		free(it);
		tell(w, n, false, true);
	}
}

static void push(writer_t *w, item_t *it)
{
	pthread_mutex_lock(&w->lock);
	*w->tail = it;
	w->tail = &it->next;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
}

static item_t *new_item(rdb_buf_t buf, bool last)
{
	item_t *it = calloc(1, sizeof(*it));
	if (!it) {
		log_warning("out of memory queueing a snapshot chunk");
		abort();
	}
	it->buf = buf;
	it->last = last;
	return it;
}

writer_t *writer_start(act_actor_t *notify, rdb_buf_t header, char *err, size_t errlen)
{
	writer_t *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		rdb_buf_free(&header);
		return NULL;
	}
	if (rdbf_open(&w->f, err, errlen) < 0) {
		free(w);
		rdb_buf_free(&header);
		return NULL;
	}
	w->notify = notify;
	w->tail = &w->head;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->more, NULL);
	rdbf_write(&w->f, header.p, header.len);
	rdb_buf_free(&header);
	int rc = pthread_create(&w->thread, NULL, run, w);
	if (rc != 0) {
		snprintf(err, errlen, "Can't start the snapshot writer: %s", strerror(rc));
		rdbf_abort(&w->f);
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->more);
		free(w);
		return NULL;
	}
	return w;
}

void writer_put(writer_t *w, rdb_buf_t chunk)
{
	push(w, new_item(chunk, false));
}

void writer_finish(writer_t *w, const char *dbfilename, bool checksum, bool discard)
{
	/* Written before the item is queued: the mutex orders it for run(). */
	pthread_mutex_lock(&w->lock);
	snprintf(w->dbfilename, sizeof(w->dbfilename), "%s", dbfilename);
	w->checksum = checksum;
	w->discard = discard;
	pthread_mutex_unlock(&w->lock);
	push(w, new_item((rdb_buf_t){ 0 }, true));
}

void writer_join(writer_t *w)
{
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->more);
	free(w);
}
