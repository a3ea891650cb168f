/*
 * rdb_file.c - snapshot files (rdb_file.h): writing one safely, SAVE
 * (every shard's databases written in one go by the thread that owns all
 * of them, Redis's rdbSave), and reading the file back at start: main
 * reads it while the workers already answer -LOADING, and hands every
 * shard its keys in batches (shard_load.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ck_pr.h>

#include "persist.h"
#include "rdb_file.h"
#include "net/core/log.h"
#include "net/core/server.h"
#include "net/shard/shard.h"
#include "store/persist/rdb.h"


/* Bytes buffered before a write(2). */
#define FLUSH_AT (1u << 20)

int rdbf_open(rdbf_t *f, char *err, size_t errlen)
{
	char cwd[1024];
	snprintf(f->tmp, sizeof(f->tmp), "temp-%d.rdb", (int)getpid());
	f->crc = 0;
	f->err = 0;
	f->fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (f->fd >= 0)
		return 0;
	int e = errno;
	snprintf(err, errlen, "Failed opening the temp RDB file %s (in server "
		 "root dir %s) for saving: %s", f->tmp,
		 getcwd(cwd, sizeof(cwd)) ? cwd : "unknown", strerror(e));
	log_warning("%s", err);
	return -1;
}

void rdbf_write(rdbf_t *f, const void *p, size_t n)
{
	const char *c = p;
	f->crc = rdb_crc64(f->crc, p, n);
	while (!f->err && n > 0) {
		ssize_t w = write(f->fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			f->err = w < 0 ? errno : EIO;
		} else {
			c += w;
			n -= (size_t)w;
		}
	}
}

static int fsync_dir(void)
{
	int fd = open(".", O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* Renames of snapshot files, one at a time (see rdbf_commit). */
static pthread_mutex_t rename_lock = PTHREAD_MUTEX_INITIALIZER;

int rdbf_commit(rdbf_t *f, const char *dbfilename, bool checksum,
		bool (*cancelled)(void), char *err, size_t errlen)
{
	rdb_buf_t b = { 0 };
	if (rdb_put_eof(&b) < 0 && !f->err)
		f->err = ENOMEM;
	rdbf_write(f, b.p, b.len);
	b.len = 0;
	/* The CRC covers every byte before it; 0 means "not computed". */
	if (rdb_put_crc(&b, checksum ? f->crc : 0) < 0 && !f->err)
		f->err = ENOMEM;
	rdbf_write(f, b.p, b.len);
	rdb_buf_free(&b);
	if (!f->err && fsync(f->fd) < 0)
		f->err = errno;
	if (close(f->fd) < 0 && !f->err)
		f->err = errno;
	f->fd = -1;
	pthread_mutex_lock(&rename_lock);
	if (!f->err && cancelled && cancelled())
		f->err = ECANCELED;
	if (!f->err && rename(f->tmp, dbfilename) < 0)
		f->err = errno;
	pthread_mutex_unlock(&rename_lock);
	if (f->err) {
		snprintf(err, errlen, "Write error saving DB on disk: %s",
			 strerror(f->err));
		log_warning("%s", err);
		unlink(f->tmp);
		return -1;
	}
	if (fsync_dir() < 0)
		log_warning("Failed to fsync the directory of %s: %s",
			    dbfilename, strerror(errno));
	return 0;
}

void rdbf_abort(rdbf_t *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	unlink(f->tmp);
}

int rdbf_header(rdb_buf_t *b, size_t used_mem)
{
	char ctime[24], mem[24];
	snprintf(ctime, sizeof(ctime), "%lld", (long long)(server_mstime() / 1000));
	snprintf(mem, sizeof(mem), "%zu", used_mem);
	const rdb_aux_t aux[] = {
		{ "redis-ver", "7.0.15" }, { "redis-bits", "64" },
		{ "ctime", ctime }, { "used-mem", mem }, { "aof-base", "0" },
	};
	return rdb_put_header(b, aux, sizeof(aux) / sizeof(aux[0]));
}

/* ---- SAVE: every shard written in one go by their owner ---------------- */

typedef struct saver_walk {
	rdbf_t f;
	rdb_buf_t buf;
	bool compress;
	int nomem;
	ks_t *ks;
	uint64_t keys;
} saver_walk_t;

static void flush(saver_walk_t *w)
{
	rdbf_write(&w->f, w->buf.p, w->buf.len);
	w->buf.len = 0;
}

static void check(saver_walk_t *w, int rc)
{
	if (rc < 0)
		w->nomem = 1;
	if (w->buf.len >= FLUSH_AT)
		flush(w);
}

static void put_key(void *arg, const entry_t *e)
{
	saver_walk_t *w = arg;
	if (w->f.err || w->nomem || ks_is_expired(w->ks, e))
		return; /* an expired key would be dropped by every loader */
	check(w, rdb_put_key(&w->buf, e, ks_ttl_get(w->ks, e), w->compress));
	w->keys++;
}

size_t persist__used_mem(void)
{
	size_t used = 0;
	for (int s = 0; s < srv.nshards; s++)
		for (int d = 0; d < srv.shards[s]->ndbs; d++)
			used += ks_memory(srv.shards[s]->dbs[d]);
	return used;
}

/* Database d of every shard, under one SELECTDB. */
static void put_db(saver_walk_t *w, int d)
{
	uint64_t keys = 0, expires = 0;
	for (int s = 0; s < srv.nshards; s++) {
		keys += ks_size(srv.shards[s]->dbs[d]);
		expires += ks_expires(srv.shards[s]->dbs[d]);
	}
	if (!keys)
		return;
	check(w, rdb_put_selectdb(&w->buf, d, keys, expires));
	for (int s = 0; s < srv.nshards && !w->f.err; s++) {
		ks_iter_t it;
		w->ks = srv.shards[s]->dbs[d];
		ks_set_now(w->ks, server_mstime());
		ks_iter_begin(w->ks, &it);
		while (!ks_iter_step(w->ks, &it, 4096, put_key, w))
			;
	}
}

int persist_save(char *err, size_t errlen)
{
	const config_t *cfg = server_cfg();
	uint64_t dirty = persist__dirty_total();
	int64_t t0 = server_mstime();
	saver_walk_t w = { .compress = cfg->store.rdbcompression };
	if (rdbf_open(&w.f, err, errlen) < 0)
		return -1;
	check(&w, rdbf_header(&w.buf, persist__used_mem()));
	for (int d = 0; d < srv.cfg.databases && !w.f.err; d++)
		put_db(&w, d);
	flush(&w);
	rdb_buf_free(&w.buf);
	if (w.nomem && !w.f.err)
		w.f.err = ENOMEM;
	if (rdbf_commit(&w.f, cfg->dbfilename, cfg->rdbchecksum, NULL, err, errlen) < 0)
		return -1;
	persist__saved(dirty);
	log_notice("DB saved on disk (%llu keys, %lld ms)",
		   (unsigned long long)w.keys, (long long)(server_mstime() - t0));
	return 0;
}

/* ---- loading ------------------------------------------------------------ */

/* Keys per message to a shard. */
#define LOAD_BATCH 1024

typedef struct loader {
	int64_t now_ms;
	uint64_t loaded, expired, total;
	load_batch_msg_t *batch[SERVER_MAX_SHARDS];
} loader_t;

static void send_batch(loader_t *l, int s)
{
	load_batch_msg_t *m = l->batch[s];
	if (!m) {
		m = (load_batch_msg_t *)act_msg_new(sizeof(*m), MSG_LOAD_BATCH);
		if (!m) {
			log_warning("Out of memory loading the DB");
			abort();
		}
		m->n = 0;
	}
	l->batch[s] = NULL;
	act_send(srv.shards[s]->actor, &m->hdr);
}

static int load_aux(void *arg, const char *key, size_t klen, const char *val,
		    size_t vlen, rdb_err_t *err)
{
	char buf[24];
	size_t n = vlen < sizeof(buf) - 1 ? vlen : sizeof(buf) - 1;
	(void)arg, (void)err;
	memcpy(buf, val, n);
	buf[n] = '\0';
	if (klen == 9 && !memcmp(key, "redis-ver", 9)) {
		log_notice("Loading RDB produced by version %.*s", (int)vlen, val);
	} else if (klen == 5 && !memcmp(key, "ctime", 5)) {
		long long age = (long long)(server_mstime() / 1000) - atoll(buf);
		log_notice("RDB age %lld seconds", age < 0 ? 0 : age);
	} else if (klen == 8 && !memcmp(key, "used-mem", 8)) {
		persist__loading_used_mem((uint64_t)atoll(buf));
	}
	return 0;
}

static int load_resize(void *arg, int db, uint64_t keys, uint64_t expires,
		       rdb_err_t *err)
{
	loader_t *l = arg;
	(void)db, (void)expires, (void)err;
	l->total += keys;
	persist__loading_progress(l->loaded + l->expired, l->total);
	return 0;
}

static int load_key(void *arg, int db, entry_t *e, int64_t expire_ms,
		    int64_t idle_s, int freq, rdb_err_t *err)
{
	loader_t *l = arg;
	(void)freq, (void)err; /* no LFU policy yet */
	if (expire_ms != -1 && expire_ms < l->now_ms) {
		entry_free(e); /* as a Redis master: expired keys are dropped */
		l->expired++;
		return 0;
	}
	e->lru = entry_lru_clock(l->now_ms - (idle_s > 0 ? idle_s * 1000 : 0));
	int s = server_key_shard(e->key, e->klen);
	load_batch_msg_t *m = l->batch[s];
	if (!m) {
		m = (load_batch_msg_t *)act_msg_new(sizeof(*m) + LOAD_BATCH * sizeof(load_item_t),
						    MSG_LOAD_BATCH);
		if (!m) {
			entry_free(e);
			snprintf(err->msg, sizeof(err->msg), "out of memory");
			return -1;
		}
		m->n = 0;
		l->batch[s] = m;
	}
	m->items[m->n++] = (load_item_t){ .e = e, .expire_ms = expire_ms, .db = db };
	if (m->n == LOAD_BATCH)
		send_batch(l, s);
	if (++l->loaded % 65536 == 0)
		persist__loading_progress(l->loaded + l->expired, l->total);
	return 0;
}

/* Free what was read but not sent (a failed load). */
static void drop_batches(loader_t *l)
{
	for (int s = 0; s < srv.nshards; s++) {
		load_batch_msg_t *m = l->batch[s];
		for (uint32_t i = 0; m && i < m->n; i++)
			entry_free(m->items[i].e);
		if (m)
			act_msg_free(&m->hdr);
		l->batch[s] = NULL;
	}
}

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "Fatal error loading the DB: %s. Exiting.", what);
	return -1;
}

int persist_load(char *err, size_t errlen)
{
	const config_t *cfg = &srv.cfg;
	int fd = open(cfg->dbfilename, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : fail(err, errlen, strerror(errno));
	struct stat sb;
	if (fstat(fd, &sb) < 0) {
		close(fd);
		return fail(err, errlen, strerror(errno));
	}
	size_t n = (size_t)sb.st_size;
	const unsigned char *p = n ? mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0)
				   : (const unsigned char *)"";
	close(fd);
	if (p == MAP_FAILED)
		return fail(err, errlen, strerror(errno));
	if (n)
		madvise((void *)p, n, MADV_SEQUENTIAL);
	int64_t t0 = server_mstime();
	persist__loading_begin(n);
	static loader_t l; /* big: a batch pointer per shard */
	memset(&l, 0, sizeof(l));
	l.now_ms = t0;
	rdb_load_cb_t cb = { .arg = &l, .aux = load_aux, .resize = load_resize,
			     .key = load_key };
	rdb_err_t rerr = { .msg = "" };
	int rc = rdb_load(p, n, srv.cfg.databases, &cfg->store, &cb, &rerr);
	if (n)
		munmap((void *)p, n);
	if (rc < 0) {
		drop_batches(&l);
		snprintf(err, errlen, "Bad RDB file '%s' at byte %zu: %s. The "
			 "server does not start on a partial dataset.",
			 cfg->dbfilename, rerr.offset, rerr.msg);
		return -1;
	}
	/* The rest, then an empty batch each: once every shard has seen its
	 * empty one, every key is in place. */
	ck_pr_store_int(&srv.loads_pending, srv.nshards);
	for (int s = 0; s < srv.nshards; s++) {
		if (l.batch[s])
			send_batch(&l, s);
		send_batch(&l, s);
	}
	while (ck_pr_load_int(&srv.loads_pending) > 0)
		usleep(1000);
	if (ck_pr_load_int(&srv.load_failed)) {
		snprintf(err, errlen, "Bad RDB file '%s': a key is there twice, or "
			 "out of memory (see above). The server does not start on a "
			 "partial dataset.", cfg->dbfilename);
		return -1;
	}
	persist__loaded(l.loaded, l.expired);
	log_notice("Done loading RDB, keys loaded: %llu, keys expired: %llu.",
		   (unsigned long long)l.loaded, (unsigned long long)l.expired);
	log_notice("DB loaded from disk: %.3f seconds",
		   (double)(server_mstime() - t0) / 1000.0);
	return 0;
}
