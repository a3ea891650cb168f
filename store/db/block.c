/*
 * block.c - the keys clients wait on in one keyspace (see block.h).
 *
 * Concurrency: none; the thread that owns the keyspace.
 */
#include "block.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct block_key {
    block_reg_t *head, *tail;       /* waiters, oldest first */
    block_key_t *ready_prev, *ready_next;
    bool ready;
    entry_t *e;                     /* its dict entry: the key bytes */
};

struct block_reg {
    block_key_t *k;
    block_reg_t *prev, *next;
    void *waiter;
    bool woken;
};

/* The record is the entry's inline value: a pointer, copied with memcpy
 * because the key length leaves it unaligned. */
static block_key_t *rec_of(const entry_t *e)
{
    block_key_t *k;
    memcpy(&k, e->key + e->klen, sizeof k);
    return k;
}

void block_init(block_t *b, uint64_t seed)
{
    memset(b, 0, sizeof *b);
    dict_init(&b->keys, seed);
}

static void free_key(block_key_t *k)
{
    for (block_reg_t *r = k->head, *next; r; r = next) {
        next = r->next;
        free(r);
    }
    free(k);
}

typedef struct collect {
    block_key_t **v;
    size_t n;
} collect_t;

static void collect_cb(void *arg, entry_t *e)
{
    collect_t *c = arg;
    c->v[c->n++] = rec_of(e);
}

void block_release(block_t *b)
{
    /* Each entry's record first, then the entries with the dict. */
    collect_t c = {malloc((b->n + 1) * sizeof(block_key_t *)), 0};
    size_t cursor = 0;
    if (c.v) {
        do {
            cursor = dict_scan(&b->keys, cursor, collect_cb, &c);
        } while (cursor);
        for (size_t i = 0; i < c.n; i++)
            free_key(c.v[i]);
        free(c.v);
    }
    dict_release(&b->keys);
    b->n = 0;
    b->ready_head = b->ready_tail = NULL;
}

static void ready_unlink(block_t *b, block_key_t *k)
{
    if (!k->ready)
        return;
    if (k->ready_prev)
        k->ready_prev->ready_next = k->ready_next;
    else
        b->ready_head = k->ready_next;
    if (k->ready_next)
        k->ready_next->ready_prev = k->ready_prev;
    else
        b->ready_tail = k->ready_prev;
    k->ready_prev = k->ready_next = NULL;
    k->ready = false;
}

static void ready_push(block_t *b, block_key_t *k)
{
    if (k->ready)
        return;
    k->ready = true;
    k->ready_next = NULL;
    k->ready_prev = b->ready_tail;
    if (b->ready_tail)
        b->ready_tail->ready_next = k;
    else
        b->ready_head = k;
    b->ready_tail = k;
}

block_reg_t *block_add(block_t *b, const void *key, size_t klen, void *waiter)
{
    block_reg_t *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    entry_t *e = dict_find(&b->keys, key, klen);
    block_key_t *k;
    if (e) {
        k = rec_of(e);
    } else {
        k = calloc(1, sizeof *k);
        e = k ? entry_new_str(key, klen, &k, sizeof k) : NULL;
        if (!e || dict_add(&b->keys, e) != 0) {
            entry_free(e);
            free(k);
            free(r);
            return NULL;
        }
        k->e = e;
        b->n++;
    }
    r->k = k;
    r->waiter = waiter;
    r->prev = k->tail;
    if (k->tail)
        k->tail->next = r;
    else
        k->head = r;
    k->tail = r;
    return r;
}

void block_del(block_t *b, block_reg_t *r)
{
    block_key_t *k = r->k;
    if (r->prev)
        r->prev->next = r->next;
    else
        k->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    else
        k->tail = r->prev;
    bool woken = r->woken;
    free(r);
    if (k->head) {
        if (woken)
            ready_push(b, k);
        return;
    }
    ready_unlink(b, k);
    entry_t *e = dict_unlink(&b->keys, k->e->key, k->e->klen);
    entry_free(e);
    free(k);
    b->n--;
}

void *block_waiter(const block_reg_t *r) { return r->waiter; }

const char *block_key(const block_reg_t *r, size_t *klen)
{
    *klen = r->k->e->klen;
    return r->k->e->key;
}

block_reg_t *block_next(const block_reg_t *r) { return r->next; }
bool block_woken(const block_reg_t *r) { return r->woken; }

void block_set_woken(block_t *b, block_reg_t *r, bool woken)
{
    bool was = r->woken;
    r->woken = woken;
    if (was && !woken)
        ready_push(b, r->k);
}

void block_signal(block_t *b, const void *key, size_t klen)
{
    entry_t *e = dict_find(&b->keys, key, klen);
    if (e)
        ready_push(b, rec_of(e));
}

static void signal_cb(void *arg, entry_t *e)
{
    ready_push(arg, rec_of(e));
}

void block_signal_all(block_t *b)
{
    size_t cursor = 0;
    if (!b->n)
        return;
    dict_pause_shrink(&b->keys);
    do {
        cursor = dict_scan(&b->keys, cursor, signal_cb, b);
    } while (cursor);
    dict_resume_shrink(&b->keys);
}

block_reg_t *block_take_ready(block_t *b)
{
    block_key_t *k = b->ready_head;
    if (!k)
        return NULL;
    ready_unlink(b, k);
    return k->head;
}

void block_swap(block_t *a, block_t *b)
{
    block_t t = *a;
    *a = *b;
    *b = t;
}
