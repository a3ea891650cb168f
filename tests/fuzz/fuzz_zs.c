/*
 * fuzz_zs.c - libFuzzer target for the big sorted set (store/enc/zs.h): an
 * operation sequence decoded from the input, checked after every write
 * against a model (an array of (score, member) sorted as the set must
 * be: by score, then member bytes, shorter first) and by zs_validate;
 * each read checks its own answer against the model.
 *
 * Input: byte 0 picks the tree's fan-out (bits 0-1: 0 the built-in one,
 * 1-2 small ones that make deep trees from a few members, 3 any in the
 * allowed range), whether every score is equal (bit 2: the ZRANGEBYLEX
 * case; only then are lex lower bounds checked; scores are 0.0 or -0.0
 * there) and whether the set is freed in bounded zs_free_step calls (bit
 * 3; bits 4-7 the budget per call).  Then operations: insert (one, or
 * many from a few bytes), update, delete (present and absent members),
 * range deletes, rank / at / lower_score / lower_lex, iteration both ways
 * from any rank, random members, and full ZSCAN-style scans with writes
 * between the steps (every member present for the whole scan must be
 * reported).  Reads must not change zs_mem; node pointers must survive
 * updates.
 *
 * Concurrency: single-threaded.
 */
#include <float.h>
#include <math.h>

#include "store/enc/zs.h"
#include "tests/fuzz/fuzz.h"

#define MAX_ELEMS 400
#define MAX_OPS 200
#define MEMBER_CAP 40

typedef struct entry {
    double score;
    fz_str_t m;
} entry_t;

typedef struct model {
    entry_t *v;
    size_t n;
    bool lex;       /* every score is 0.0 or -0.0 */
    uint64_t rng;   /* zs_random's */
    int scans;      /* full scans so far (each costs O(n log n)) */
} model_t;

static int cmp_member(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t min = alen < blen ? alen : blen;
    int c = min ? memcmp(a, b, min) : 0;
    if (c)
        return c;
    return alen < blen ? -1 : alen > blen;
}

static int cmp_entry(double s, const char *m, size_t len, const entry_t *e)
{
    if (s != e->score)
        return s < e->score ? -1 : 1;
    return cmp_member(m, len, e->m.s, e->m.len);
}

/* Where (s, m) goes in the model: the first entry not below it. */
static size_t m_place(const model_t *md, double s, const char *m, size_t len)
{
    size_t lo = 0, hi = md->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cmp_entry(s, m, len, &md->v[mid]) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The model index of member m, or md->n (a linear search: the order is by
 * score first). */
static size_t m_index(const model_t *md, const char *m, size_t len)
{
    for (size_t i = 0; i < md->n; i++)
        if (fz_eq(md->v[i].m.s, md->v[i].m.len, m, len))
            return i;
    return md->n;
}

static void m_insert(model_t *md, double s, const char *m, size_t len)
{
    size_t i = m_place(md, s, m, len);
    memmove(md->v + i + 1, md->v + i, (md->n - i) * sizeof *md->v);
    md->v[i].score = s;
    md->v[i].m = fz_str_dup(m, len);
    md->n++;
}

static void m_delete(model_t *md, size_t i, size_t count)
{
    for (size_t k = i; k < i + count; k++)
        free(md->v[k].m.s);
    memmove(md->v + i, md->v + i + count, (md->n - i - count) * sizeof *md->v);
    md->n -= count;
}

static bool same_score(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;       /* -0.0 is kept as given */
}

/* The node n is the model's entry i. */
static void check_node(const zs_node_t *n, const model_t *md, size_t i, const char *what)
{
    FZ_CHECK(n, "%s: no node for rank %zu", what, i);
    size_t len;
    const char *m = zs_member(n, &len);
    FZ_CHECK(fz_eq(m, len, md->v[i].m.s, md->v[i].m.len), "%s: member at rank %zu", what, i);
    FZ_CHECK(same_score(zs_score(n), md->v[i].score), "%s: score at rank %zu: %.17g, want %.17g",
             what, i, zs_score(n), md->v[i].score);
}

static void check_all(zs_t *zs, const model_t *md)
{
    FZ_CHECK(zs_len(zs) == md->n, "len %zu, model %zu", zs_len(zs), md->n);
    FZ_CHECK(zs_validate(zs), "zs_validate failed at len %zu", md->n);
    zs_iter_t it;
    zs_iter_init(&it, zs, 0, true);
    for (size_t i = 0; i < md->n; i++)
        check_node(zs_iter_next(&it), md, i, "walk");
    FZ_CHECK(zs_iter_next(&it) == NULL, "walk goes past the end");
}

/* ---- decoding ---- */

static double gen_score(fz_in_t *in, const model_t *md)
{
    uint8_t k = fz_u8(in);
    if (md->lex)
        return (k & 1) ? -0.0 : 0.0;
    switch (k % 8) {
    case 0:
        return (double)((int8_t)fz_u8(in) % 5);     /* ties */
    case 1:
        return (k & 0x80) ? -0.0 : 0.0;
    case 2:
        return (k & 0x80) ? -INFINITY : INFINITY;
    case 3:
    case 4: { /* an existing score, or its neighbours */
        if (!md->n)
            return 1.0;
        double s = md->v[fz_u16(in) % md->n].score;
        if (k % 8 == 4)
            s = nextafter(s, (k & 0x80) ? -INFINITY : INFINITY);
        return s;
    }
    case 5: {
        static const double edges[] = {DBL_MAX, -DBL_MAX, DBL_MIN, -DBL_MIN, 4.9e-324,
                                       -4.9e-324, 9007199254740992.0, 0.1};
        return edges[fz_u8(in) % 8];
    }
    case 6:
        return (double)fz_edgy_int(in);
    default: {
        uint64_t bits = fz_u64(in);
        double d;
        memcpy(&d, &bits, sizeof d);
        return isnan(d) ? 0.5 : d;      /* callers never pass NaN */
    }
    }
}

/* A member into buf (cap MEMBER_CAP): bytes of the input, or an existing
 * member with a byte added or dropped (prefixes order shorter first). */
static size_t gen_member(fz_in_t *in, const model_t *md, char *buf)
{
    uint8_t k = fz_u8(in);
    size_t got;
    if (md->n && (k & 1)) {
        const fz_str_t *e = &md->v[fz_u16(in) % md->n].m;
        size_t len = e->len < MEMBER_CAP - 1 ? e->len : MEMBER_CAP - 1;
        memcpy(buf, e->s, len);
        if ((k & 2) && len)
            return len - 1;
        if (k & 4)
            buf[len++] = (char)fz_u8(in);
        return len;
    }
    const uint8_t *p = fz_bytes(in, (size_t)(k >> 1) % 9, &got);
    memcpy(buf, p, got);
    return got;
}

static size_t pick(fz_in_t *in, size_t n)
{
    return n ? fz_u16(in) % n : 0;
}

/* ---- writes ---- */

static void do_insert(zs_t *zs, model_t *md, fz_in_t *in)
{
    char buf[MEMBER_CAP];
    size_t len = gen_member(in, md, buf);
    double s = gen_score(in, md);
    size_t i = m_index(md, buf, len);
    zs_node_t *n = zs_find(zs, buf, len);
    if (i < md->n) {
        FZ_CHECK(n, "find: a present member is missing");
        check_node(n, md, i, "find");
        return;
    }
    FZ_CHECK(!n, "find: an absent member is found");
    if (md->n == MAX_ELEMS)
        return;
    n = zs_insert(zs, buf, len, s);
    FZ_CHECK(n, "insert failed");
    m_insert(md, s, buf, len);
    FZ_CHECK(zs_rank(zs, n) == m_place(md, s, buf, len), "rank of the new member");
}

/* Many members from few input bytes (deep trees, index growth): names
 * "<prefix><j>" with scores j * step % mod, so ties come and go. */
static void do_bulk(zs_t *zs, model_t *md, fz_in_t *in)
{
    unsigned count = fz_u8(in) % 64, prefix = fz_u8(in), step = fz_u8(in), mod = fz_u8(in) % 8 + 1;
    for (unsigned j = 0; j < count && md->n < MAX_ELEMS; j++) {
        char buf[MEMBER_CAP];
        size_t len = (size_t)snprintf(buf, sizeof buf, "%c%u", prefix, j);
        double s = md->lex ? 0.0 : (double)(j * step % mod) - 2;
        if (zs_find(zs, buf, len))
            continue;
        FZ_CHECK(zs_insert(zs, buf, len, s), "insert failed");
        m_insert(md, s, buf, len);
    }
}

static void do_update(zs_t *zs, model_t *md, fz_in_t *in)
{
    if (!md->n)
        return;
    size_t i = pick(in, md->n);
    double s = gen_score(in, md);
    fz_str_t m = md->v[i].m;
    zs_node_t *n = zs_find(zs, m.s, m.len);
    check_node(n, md, i, "find for update");
    FZ_CHECK(zs_update(zs, n, s) == 0, "update failed");
    md->v[i].m.s = NULL;
    m_delete(md, i, 1);
    m_insert(md, s, m.s, m.len);
    FZ_CHECK(zs_find(zs, m.s, m.len) == n, "update moved the node");
    FZ_CHECK(zs_rank(zs, n) == m_place(md, s, m.s, m.len), "rank after update");
    free(m.s);
}

static void do_delete(zs_t *zs, model_t *md, fz_in_t *in)
{
    char buf[MEMBER_CAP];
    size_t len = gen_member(in, md, buf);
    size_t i = m_index(md, buf, len);
    zs_node_t *n = zs_find(zs, buf, len);
    FZ_CHECK((n != NULL) == (i < md->n), "find before delete");
    if (n) {
        zs_delete(zs, n);
        m_delete(md, i, 1);
        FZ_CHECK(!zs_find(zs, buf, len), "found after delete");
    }
}

static void do_delete_range(zs_t *zs, model_t *md, fz_in_t *in)
{
    size_t start = pick(in, md->n + 2);
    size_t count = fz_u8(in) % 8 ? fz_u8(in) % 16 : SIZE_MAX;
    size_t want = start >= md->n ? 0 : count < md->n - start ? count : md->n - start;
    FZ_CHECK(zs_delete_range(zs, start, count) == want, "delete_range(%zu, %zu)", start,
             count);
    if (want)
        m_delete(md, start, want);
}

/* ---- reads ---- */

static void do_rank_at(zs_t *zs, model_t *md, fz_in_t *in)
{
    FZ_CHECK(zs_at(zs, md->n) == NULL && zs_at(zs, md->n + fz_u8(in)) == NULL,
             "at past the end");
    if (!md->n)
        return;
    size_t i = pick(in, md->n);
    zs_node_t *n = zs_at(zs, i);
    check_node(n, md, i, "at");
    FZ_CHECK(zs_rank(zs, n) == i, "rank %zu, want %zu", zs_rank(zs, n), i);
}

static void do_lower(zs_t *zs, model_t *md, fz_in_t *in)
{
    bool excl = fz_u8(in) & 1;
    double s = gen_score(in, md);
    size_t want = 0;
    while (want < md->n && (excl ? md->v[want].score <= s : md->v[want].score < s))
        want++;
    size_t got = zs_lower_score(zs, s, excl);
    FZ_CHECK(got == want, "lower_score(%.17g, %d): %zu, want %zu", s, excl, got, want);
    if (!md->lex)
        return;
    char buf[MEMBER_CAP];
    size_t len = gen_member(in, md, buf);
    want = 0;
    while (want < md->n && cmp_member(md->v[want].m.s, md->v[want].m.len, buf, len) < excl)
        want++;
    got = zs_lower_lex(zs, buf, len, excl);
    FZ_CHECK(got == want, "lower_lex(excl %d): %zu, want %zu", excl, got, want);
}

static void do_iter(zs_t *zs, model_t *md, fz_in_t *in)
{
    size_t r = pick(in, md->n + 2);
    bool up = fz_u8(in) & 1;
    size_t steps = fz_u8(in);
    zs_iter_t it;
    zs_iter_init(&it, zs, r, up);
    if (r >= md->n) {
        FZ_CHECK(zs_iter_next(&it) == NULL, "iterator from rank %zu of %zu", r, md->n);
        return;
    }
    size_t i = r, k = 0;
    for (; k < steps; k++) {
        zs_node_t *n = zs_iter_next(&it);
        if (up ? i >= md->n : i == SIZE_MAX) {
            FZ_CHECK(!n, "iterator goes past the end");
            return;
        }
        check_node(n, md, i, up ? "iter up" : "iter down");
        i = up ? i + 1 : i - 1;
    }
}

static void do_random(zs_t *zs, model_t *md, fz_in_t *in)
{
    (void)in;
    zs_node_t *n = zs_random(zs, &md->rng);
    if (!md->n) {
        FZ_CHECK(!n, "random member of an empty set");
        return;
    }
    FZ_CHECK(n, "no random member");
    size_t r = zs_rank(zs, n);
    FZ_CHECK(r < md->n, "random: rank %zu", r);
    check_node(n, md, r, "random");
}

/* ---- scans, with writes between the steps ---- */

static void on_scan(void *arg, const zs_node_t *n)
{
    fz_vec_t *seen = arg;
    size_t len;
    const char *m = zs_member(n, &len);
    fz_vec_insert(seen, seen->n, m, len);
}

static int cmp_str(const void *a, const void *b)
{
    const fz_str_t *x = a, *y = b;
    return cmp_member(x->s, x->len, y->s, y->len);
}

/* qsort and bsearch want a non-NULL array even when it is empty. */
static void sort_strs(fz_vec_t *v)
{
    if (v->n)
        qsort(v->v, v->n, sizeof *v->v, cmp_str);
}

static bool has_str(const fz_vec_t *v, const fz_str_t *s)
{
    return v->n && bsearch(s, v->v, v->n, sizeof *v->v, cmp_str);
}

static void do_scan(zs_t *zs, model_t *md, fz_in_t *in)
{
    if (md->scans++ == 4)
        return;
    /* Members present at the start and never deleted during the scan
     * (gone) must have been reported. */
    fz_vec_t start = {0}, seen = {0}, gone = {0};
    for (size_t i = 0; i < md->n; i++)
        fz_vec_insert(&start, start.n, md->v[i].m.s, md->v[i].m.len);
    uint8_t writes = fz_u8(in);
    size_t cursor = 0, steps = 0;
    do {
        cursor = zs_scan(zs, cursor, on_scan, &seen);
        FZ_CHECK(++steps <= 4 * (MAX_ELEMS + 64) + 1024, "scan does not end");
        if (writes & 1) {
            do_insert(zs, md, in);
        } else if ((writes & 2) && md->n) {
            size_t i = pick(in, md->n);
            fz_vec_insert(&gone, gone.n, md->v[i].m.s, md->v[i].m.len);
            zs_delete(zs, zs_find(zs, md->v[i].m.s, md->v[i].m.len));
            m_delete(md, i, 1);
        }
        writes = (uint8_t)(writes >> 2 | writes << 6);
    } while (cursor != 0);
    sort_strs(&seen);
    sort_strs(&gone);
    for (size_t i = 0; i < start.n; i++) {
        if (has_str(&gone, &start.v[i]))
            continue;
        FZ_CHECK(has_str(&seen, &start.v[i]),
                 "scan missed member %zu of %zu", i, start.n);
    }
    fz_vec_free(&start);
    fz_vec_free(&seen);
    fz_vec_free(&gone);
}

/* ---- the run ---- */

static void free_in_steps(zs_t *zs, size_t n, unsigned per_call)
{
    size_t sz[2];
    zs_index_sizes(zs, sz);
    size_t max_work = 3 * n + sz[0] + sz[1] + 16, calls = 0;
    for (;;) {
        size_t budget = per_call;
        if (zs_free_step(zs, &budget))
            return;
        FZ_CHECK(budget == 0, "free_step stops with budget %zu left", budget);
        FZ_CHECK(++calls <= max_work / per_call + 2, "free_step makes no progress");
    }
}

/* The operations, weighted by repetition: inserts most. */
typedef struct op {
    void (*fn)(zs_t *zs, model_t *md, fz_in_t *in);
    bool read;      /* must not change zs_mem */
} op_t;

static const op_t ops[] = {
    {do_insert, false},   {do_insert, false},       {do_insert, false}, {do_bulk, false},
    {do_update, false},   {do_delete, false},       {do_delete_range, false},
    {do_rank_at, true},   {do_lower, true},         {do_iter, true},
    {do_random, true},    {do_scan, false},
};

static zs_t *make_set(uint8_t mode, fz_in_t *in)
{
    uint64_t seed = fz_u64(in);
    if (mode % 4 == 0)
        return zs_new(seed);
    FZ_CHECK(!zs_new_fanout(seed, 3, 8) && !zs_new_fanout(seed, 8, 33), "fan-out bounds");
    unsigned leaf = 4 + fz_u8(in) % (mode % 4 == 3 ? 57 : 4);
    unsigned inner = 4 + fz_u8(in) % (mode % 4 == 3 ? 29 : 3);
    return zs_new_fanout(seed, leaf, inner);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    fz_in_t in = {data + 1, size - 1, 0};
    static entry_t v[MAX_ELEMS];
    model_t md = {v, 0, (mode & 4) != 0, 0, 0};
    zs_t *zs = make_set(mode, &in);
    FZ_CHECK(zs, "zs_new");
    md.rng = fz_u64(&in);
    for (int nops = 0; fz_more(&in) && nops < MAX_OPS; nops++) {
        const op_t *o = &ops[fz_u8(&in) % (sizeof ops / sizeof *ops)];
        size_t mem = zs_mem(zs);
        o->fn(zs, &md, &in);
        FZ_CHECK(!o->read || zs_mem(zs) == mem, "a read changed zs_mem");
        if (!o->read)       /* (reads checked their own answers) */
            check_all(zs, &md);
        if (md.n == 0)
            FZ_CHECK(zs_lower_score(zs, 0, false) == 0 && !zs_at(zs, 0), "empty set");
    }
    if (mode & 8)
        free_in_steps(zs, md.n, 1 + (mode >> 4) * 3);
    else
        zs_free(zs);
    m_delete(&md, 0, md.n);
    return 0;
}
