/*
 * zset_util.c - pairs, stores and replies shared by the sorted set
 * commands (see zset_util.h).
 *
 * Concurrency: as cmd_exec.
 */
#include "zset_util.h"

#include <stdlib.h>
#include <string.h>

#include "store/cmd/proc.h"

/* ---- pairs ---- */

#define CHUNK_MIN 4096

typedef struct zset_chunk {
    struct zset_chunk *next;
    size_t used, cap;
    char data[];
} zset_chunk_t;

void zset__pairs_init(zset_pairs_t *p)
{
    *p = (zset_pairs_t){0};
}

void zset__pairs_free(zset_pairs_t *p)
{
    while (p->chunks) {
        zset_chunk_t *c = p->chunks;
        p->chunks = c->next;
        free(c);
    }
    free(p->v);
    *p = (zset_pairs_t){0};
}

/* A stable copy of s in p's chunks; NULL on ENOMEM. */
static const char *copy_bytes(zset_pairs_t *p, const char *s, size_t len)
{
    zset_chunk_t *c = p->chunks;
    if (!c || c->cap - c->used < len) {
        size_t cap = len > CHUNK_MIN ? len : CHUNK_MIN;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = p->chunks;
        p->chunks = c;
    }
    char *d = c->data + c->used;
    if (len)
        memcpy(d, s, len);
    c->used += len;
    return d;
}

void zset__pairs_add(zset_pairs_t *p, const char *s, size_t len, double score, bool copy)
{
    if (p->oom)
        return;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        zobj_pair_t *v = realloc(p->v, cap * sizeof *v);
        if (!v) {
            p->oom = true;
            return;
        }
        p->v = v;
        p->cap = cap;
    }
    if (copy && !(s = copy_bytes(p, s, len))) {
        p->oom = true;
        return;
    }
    p->v[p->n++] = (zobj_pair_t){s, len, score};
}

void zset__pairs_add_elem(zset_pairs_t *p, const zobj_elem_t *e)
{
    zset__pairs_add(p, e->s, e->len, e->score, e->s == e->buf);
}

void zset__pairs_sort(zset_pairs_t *p)
{
    if (p->n > 1)
        qsort(p->v, p->n, sizeof *p->v, zobj_cmp_pair);
}

/* ---- keys ---- */

entry_t *zset__find(cmd_ctx_t *ctx, int i, bool *wrong)
{
    return cmd__find_typed(ctx, i, OBJ_ZSET, wrong);
}

void zset__store(cmd_ctx_t *ctx, int dst, const zobj_pair_t *pairs, size_t n)
{
    const cmd_arg_t *k = &ctx->argv[dst];
    ks_t *ks = cmd__ks_of(ctx, dst);
    zobj_t z = {ENC_ZSET_LP, NULL};
    /* Built before the old value goes: the pairs may point into it. */
    if (n && zobj_build(&z, pairs, n, cmd__cfg(ctx)) != 0) {
        cmd__reply_oom(ctx);
        return;
    }
    entry_t *e = ks_find(ks, k->ptr, k->len);
    if (e)
        ks_delete_entry(ks, e);
    if (n == 0) {
        reply_int(ctx->reply, 0);
        return;
    }
    if (!ks_add_obj(ks, k->ptr, k->len, OBJ_ZSET, z.enc, z.obj))
        cmd__reply_oom(ctx);
    else
        reply_int(ctx->reply, (long long)n);
}

/* ---- replies ---- */

void zset__reply_head(cmd_ctx_t *ctx, size_t n, bool withscores)
{
    reply_array(ctx->reply, zset__reply_len(ctx, n, withscores));
}

void zset__reply_elem(cmd_ctx_t *ctx, const char *s, size_t len, double score,
                      bool withscores)
{
    reply_t *r = ctx->reply;
    if (withscores && r->proto > 2)
        reply_array(r, 2);
    reply_bulk(r, s, len);
    if (withscores)
        reply_double(r, score);
}
