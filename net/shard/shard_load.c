/*
 * shard_load.c - a shard's part of loading the RDB file at start: main
 * reads the file while the workers already serve (clients get -LOADING)
 * and hands each shard its keys in batches; the shard links them.  A key
 * already present (the file names it twice) or no memory fails the load:
 * main then stops the server rather than serve a partial dataset.
 */
#include <ck_pr.h>

#include "shard.h"
#include "net/core/log.h"
#include "store/db/ks_move.h"

void shard_load_batch(shard_t *sh, load_batch_msg_t *m)
{
	int64_t now = server_now_ms();
	for (uint32_t i = 0; i < m->n; i++) {
		load_item_t *it = &m->items[i];
		ks_t *ks = sh->dbs[it->db];
		ks_set_now(ks, now);
		if (ks_peek(ks, it->e->key, it->e->klen)) {
			log_warning("RDB has duplicated key '%.*s' in DB %d",
				    (int)(it->e->klen > 64 ? 64 : it->e->klen),
				    it->e->key, it->db);
			entry_free(it->e);
			ck_pr_store_int(&srv.load_failed, 1);
		} else if (ks_put_entry(ks, it->e, it->expire_ms) < 0) {
			ck_pr_store_int(&srv.load_failed, 1);
		}
	}
	if (m->n == 0)
		ck_pr_dec_int(&srv.loads_pending);
}
