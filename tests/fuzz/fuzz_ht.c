/*
 * fuzz_ht.c - libFuzzer target for the hash table of big sets and hashes
 * (store/enc/ht.h): an operation sequence decoded from the input, checked
 * against a model (an array indexed by key number), across growth,
 * shrinking and incremental rehashing.
 *
 * Input: byte 0 picks set or map mode and the hash seed; then operations
 * on keys drawn from 96 names (so they collide and come back): add,
 * delete, unlink and link back, set a value (in place or moved), find,
 * rehash steps with and without a pause, random picks, samples, a pop,
 * and whole scans and iterations.  After each operation the length
 * matches, every model key is found with its value and no other key is,
 * ht_mem equals the sum it stands for (table struct, 8 bytes a bucket of
 * both arrays, every node's usable size), and a full iteration sees each
 * key exactly once; scans see each at least once.  At the end the table
 * is freed in small steps.
 *
 * Concurrency: single-threaded.
 */
#include <malloc.h>

#include "store/enc/ht.h"
#include "tests/fuzz/fuzz.h"

#define NKEYS 96

typedef struct model {
    bool in[NKEYS];
    char val[NKEYS][80];
    size_t vlen[NKEYS];
    size_t n;
} model_t;

static char g_key[NKEYS][24];
static size_t g_klen[NKEYS];

static void keys_init(void)
{
    if (g_klen[0])
        return;
    for (int i = 0; i < NKEYS; i++) {
        /* Some empty-ish, some numeric, some long: lengths 1..20. */
        g_klen[i] = (size_t)snprintf(g_key[i], sizeof g_key[i], "%.*s%d", i % 12, "kkkkkkkkkkkk",
                                     i);
    }
}

static int key_of(const ht_node_t *n)
{
    size_t len;
    const char *k = ht_key(n, &len);
    for (int i = 0; i < NKEYS; i++)
        if (fz_eq(k, len, g_key[i], g_klen[i]))
            return i;
    return -1;
}

static void check_node(const ht_t *ht, const model_t *m, const ht_node_t *n)
{
    int i = key_of(n);
    FZ_CHECK(i >= 0 && m->in[i], "a node whose key is not in the model");
    if (ht_is_map(ht)) {
        size_t vlen;
        const char *v = ht_val(n, &vlen);
        FZ_CHECK(fz_eq(v, vlen, m->val[i], m->vlen[i]), "value of key %d differs", i);
    }
}

typedef struct seen {
    const ht_t *ht;
    const model_t *m;
    unsigned count[NKEYS];
} seen_t;

static void on_scan(void *arg, const ht_node_t *n)
{
    seen_t *s = arg;
    check_node(s->ht, s->m, n);
    s->count[key_of(n)]++;
}

static size_t mem_sum(ht_t *ht)
{
    size_t mem = sizeof(ht_t) + 8 * (ht->size[0] + ht->size[1]);
    ht_iter_t it;
    ht_iter_init(&it, ht);
    for (ht_node_t *n; (n = ht_iter_next(&it));)
        mem += malloc_usable_size(n);
    return mem;
}

static void check(ht_t *ht, const model_t *m, bool scan)
{
    FZ_CHECK(ht_len(ht) == m->n, "len %zu, model %zu", ht_len(ht), m->n);
    size_t mem = ht_mem(ht);
    for (int i = 0; i < NKEYS; i++) {
        ht_node_t *n = ht_find(ht, g_key[i], g_klen[i]);
        FZ_CHECK((n != NULL) == m->in[i], "find key %d: %p, model %d", i, (void *)n, m->in[i]);
        if (n)
            check_node(ht, m, n);
    }
    FZ_CHECK(ht_mem(ht) == mem, "a lookup changed ht_mem");
    FZ_CHECK(mem_sum(ht) == mem, "ht_mem %zu, sum %zu", mem, mem_sum(ht));
    seen_t s = {ht, m, {0}};
    ht_iter_t it;
    ht_iter_init(&it, ht);
    for (ht_node_t *n; (n = ht_iter_next(&it));)
        on_scan(&s, n);
    for (int i = 0; i < NKEYS; i++)
        FZ_CHECK(s.count[i] == (m->in[i] ? 1u : 0u), "iteration saw key %d %u times", i,
                 s.count[i]);
    if (scan) {
        memset(s.count, 0, sizeof s.count);
        size_t cursor = 0, calls = 0;
        do {
            cursor = ht_scan(ht, cursor, on_scan, &s);
            FZ_CHECK(++calls <= 2 * (ht->size[0] + ht->size[1]) + 2, "scan does not end");
        } while (cursor);
        for (int i = 0; i < NKEYS; i++)
            FZ_CHECK(!m->in[i] || s.count[i] >= 1, "scan missed key %d", i);
    }
}

static void model_del(model_t *m, int i)
{
    m->in[i] = false;
    m->n--;
}

static void set_val(model_t *m, int i, fz_in_t *in)
{
    size_t got;
    size_t len = fz_u8(in) % sizeof m->val[i];
    const uint8_t *p = fz_bytes(in, len, &got);
    memcpy(m->val[i], p, got);
    m->vlen[i] = got;
}

static void op(ht_t *ht, model_t *m, fz_in_t *in)
{
    uint8_t k = fz_u8(in);
    int i = fz_u8(in) % NKEYS;
    switch (k % 12) {
    case 0:
    case 1:
    case 2: /* add, or replace the value when present */
        if (!m->in[i]) {
            set_val(m, i, in);
            ht_node_t *n = ht_add(ht, g_key[i], g_klen[i], m->val[i], m->vlen[i]);
            FZ_CHECK(n, "add");
            m->in[i] = true;
            m->n++;
            check_node(ht, m, n);
        } else if (ht_is_map(ht)) {
            ht_node_t *n = ht_find(ht, g_key[i], g_klen[i]);
            set_val(m, i, in);
            n = ht_set_val(ht, n, m->val[i], m->vlen[i]);
            FZ_CHECK(n, "set_val");
            check_node(ht, m, n);
        }
        break;
    case 3:
    case 4:
        FZ_CHECK(ht_delete(ht, g_key[i], g_klen[i]) == m->in[i], "delete key %d", i);
        if (m->in[i])
            model_del(m, i);
        break;
    case 5: { /* unlink and link back */
        ht_node_t *n = ht_unlink(ht, g_key[i], g_klen[i]);
        FZ_CHECK((n != NULL) == m->in[i], "unlink key %d", i);
        if (n) {
            if (fz_u8(in) & 1) {
                FZ_CHECK(ht_link(ht, n) == 0, "link");
            } else {
                ht_node_free(n);
                model_del(m, i);
            }
        }
        break;
    }
    case 6: { /* rehash steps, maybe paused around a lookup loop */
        bool pause = k & 0x10;
        if (pause)
            ht_pause_rehash(ht);
        size_t used = ht->used[0] + ht->used[1];
        ht_rehash_step(ht, fz_u8(in) % 8);
        FZ_CHECK(ht->used[0] + ht->used[1] == used, "rehash lost nodes");
        if (pause)
            ht_resume_rehash(ht);
        break;
    }
    case 7: {
        ht_node_t *n = (k & 0x10) ? ht_random_fair(ht) : ht_random(ht);
        FZ_CHECK((n != NULL) == (m->n > 0), "random on %zu", m->n);
        if (n)
            check_node(ht, m, n);
        break;
    }
    case 8: { /* sample, then unlink some of the sample */
        ht_node_t *out[32];
        size_t want = fz_u8(in) % 33;
        size_t got = ht_sample(ht, out, want);
        FZ_CHECK(got <= want && got <= m->n, "sample of %zu gave %zu", want, got);
        for (size_t a = 0; a < got; a++) {
            check_node(ht, m, out[a]);
            for (size_t b = 0; b < a; b++)
                FZ_CHECK(out[a] != out[b], "sample not distinct");
        }
        for (size_t a = 0; a < got; a++) {
            if (fz_u8(in) & 1) {
                int key = key_of(out[a]);
                ht_unlink_node(ht, out[a]);
                ht_node_free(out[a]);
                model_del(m, key);
            }
        }
        break;
    }
    case 9: {
        ht_node_t *n = ht_pop_random(ht);
        FZ_CHECK((n != NULL) == (m->n > 0), "pop on %zu", m->n);
        if (n) {
            check_node(ht, m, n);
            model_del(m, key_of(n));
            ht_node_free(n);
        }
        break;
    }
    case 10: { /* delete while iterating, paused (SREM of SMEMBERS) */
        ht_pause_rehash(ht);
        ht_iter_t it;
        ht_iter_init(&it, ht);
        for (ht_node_t *n; (n = ht_iter_next(&it));) {
            if (fz_u8(in) % 4 == 0) {
                int key = key_of(n);
                ht_unlink_node(ht, n);
                ht_node_free(n);
                model_del(m, key);
            }
        }
        ht_resume_rehash(ht);
        break;
    }
    default: /* many adds at once: growth and long rehashes */
        for (int j = 0; j < 24; j++) {
            int key = (i + j * 7) % NKEYS;
            if (m->in[key])
                continue;
            m->vlen[key] = 0;
            FZ_CHECK(ht_add(ht, g_key[key], g_klen[key], "", 0), "add");
            m->in[key] = true;
            m->n++;
        }
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    keys_init();
    fz_in_t in = {data, size, 0};
    uint8_t mode = fz_u8(&in);
    ht_t *ht = ht_new(mode & 1, 1 + (mode >> 1));
    FZ_CHECK(ht, "ht_new");
    static model_t m;
    memset(&m, 0, sizeof m);
    int nops = 0;
    while (fz_more(&in) && nops++ < 128) {
        op(ht, &m, &in);
        check(ht, &m, fz_u8(&in) % 4 == 0);
    }
    size_t budget = 1 + fz_u8(&in) % 8;
    for (;;) {
        size_t b = budget;
        if (ht_free_step(ht, &b))
            break;
    }
    return 0;
}
