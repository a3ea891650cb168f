/*
 * fuzz_hll.c - libFuzzer target for the HyperLogLog commands
 * (store/types/hll.c over hll_enc.h): the input becomes a string value,
 * which PFCOUNT, PFADD, PFMERGE and PFDEBUG then read and change in
 * process, as a one-shard server runs them.
 *
 * Input: byte 0 chooses the form: bit 1 set, the rest is the whole value
 * as given (the header checks); else a header ("HYLL", sparse when bit 0
 * is clear, dense when set, byte 1 as the cached count's top byte) and
 * the rest as the register area: sparse opcodes as given, or dense
 * registers repeated to their exact 12288 bytes.  Bits 2..4 say how many
 * elements each PFADD adds.
 *
 * Checked: no crash and no read past the value (ASan); every reply is one
 * error, integer, status, bulk or array of them; a value that starts valid
 * (a HYLL header whose registers decode to exactly 16384) stays valid
 * after every command, its registers never decrease, and PFCOUNT of it
 * never errs; a PFMERGE of it makes a valid destination.
 *
 * Concurrency: single-threaded.
 */
#include "store/commands.h"
#include "store/db/entry.h"
#include "store/db/keyspace.h"
#include "store/types/hll_enc.h"
#include "tests/fuzz/fuzz.h"

#define NOW 1700000000000LL
#define MAX_BODY 20000

static ks_t *g_ks;
static reply_t g_r;

static void run(int argc, const cmd_arg_t *argv)
{
    reply_reset(&g_r);
    const cmd_t *c = cmd_lookup(argv[0].ptr, argv[0].len);
    FZ_CHECK(c, "no command %.*s", (int)argv[0].len, argv[0].ptr);
    cmd_ctx_t ctx = {.ks = g_ks, .argc = argc, .argv = argv, .reply = &g_r,
                     .now_ms = NOW};
    cmd_exec(c, &ctx);
    FZ_CHECK(!reply_failed(&g_r), "reply failed");
    FZ_CHECK(g_r.len > 0 && strchr("-:+$*", g_r.buf[0]), "odd reply %.*s",
             (int)(g_r.len < 40 ? g_r.len : 40), g_r.buf);
}

static bool is_error(void)
{
    return g_r.len > 0 && g_r.buf[0] == '-';
}

/* The registers of key (into regs) if it holds a valid HLL. */
static bool valid_regs(const char *key, uint8_t *regs)
{
    entry_t *e = ks_find_notouch(g_ks, key, strlen(key));
    char tmp[32];
    size_t len;
    if (!e || !entry_is_str(e) || e->type == ENTRY_INT)
        return false;
    const uint8_t *s = (const uint8_t *)entry_str(e, tmp, &len);
    if (!hll_valid_header(s, len))
        return false;
    memset(regs, 0, HLL_REGISTERS);
    bool invalid = false;
    hll_count(s, len, &invalid);
    return !invalid && hll_merge(regs, s, len) == 0;
}

/* The value of x made from the input. */
static uint8_t *make_value(fz_in_t *in, uint8_t form, size_t *len)
{
    size_t n;
    const uint8_t *body = fz_bytes(in, MAX_BODY, &n);
    if (form & 2) {
        uint8_t *v = fz_xmalloc(n);
        memcpy(v, body, n);
        *len = n;
        return v;
    }
    bool dense = form & 1;
    size_t total = dense ? HLL_DENSE_SIZE : HLL_HDR_SIZE + n;
    uint8_t *v = fz_xmalloc(total);
    memset(v, 0, HLL_HDR_SIZE);
    memcpy(v, "HYLL", 4);
    v[4] = dense ? HLL_DENSE : HLL_SPARSE;
    v[15] = n ? body[0] : 0x80;
    for (size_t i = HLL_HDR_SIZE; i < total; i++)
        v[i] = dense ? (n ? body[(i - HLL_HDR_SIZE) % n] : 0) : body[i - HLL_HDR_SIZE];
    *len = total;
    return v;
}

/* x still valid, its registers at least those in before (updated). */
static void check_still_valid(uint8_t *before, uint8_t *now, const char *after)
{
    FZ_CHECK(valid_regs("x", now), "x became invalid after %s", after);
    for (long i = 0; i < HLL_REGISTERS; i++)
        FZ_CHECK(now[i] >= before[i], "register %ld fell after %s", i, after);
    memcpy(before, now, HLL_REGISTERS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in_t in = {data, size, 0};
    uint8_t form = fz_u8(&in);
    int nelem = 1 + ((form >> 2) & 7);
    size_t len;
    uint8_t *v = make_value(&in, form, &len);
    static uint8_t before[HLL_REGISTERS], now[HLL_REGISTERS];

    g_ks = ks_create(1);
    reply_init(&g_r, 2);
    cmd_arg_t set[3] = {{"SET", 3}, {"x", 1}, {(const char *)v, len}};
    run(3, set);
    bool valid = valid_regs("x", before);

    static const char *elems[] = {"a", "b", "c", "", "hello", "\x00\x01", "zz", "12345"};
    cmd_arg_t add[2 + 8] = {{"PFADD", 5}, {"x", 1}};
    for (int i = 0; i < nelem; i++)
        add[2 + i] = (cmd_arg_t){elems[i], i == 5 ? 2 : strlen(elems[i])};

    const cmd_arg_t count[] = {{"PFCOUNT", 7}, {"x", 1}};
    const cmd_arg_t count2[] = {{"PFCOUNT", 7}, {"x", 1}, {"nokey", 5}, {"x", 1}};
    const cmd_arg_t merge[] = {{"PFMERGE", 7}, {"y", 1}, {"x", 1}};
    const cmd_arg_t merge_self[] = {{"PFMERGE", 7}, {"x", 1}};
    const cmd_arg_t decode[] = {{"PFDEBUG", 7}, {"DECODE", 6}, {"x", 1}};
    const cmd_arg_t encoding[] = {{"PFDEBUG", 7}, {"ENCODING", 8}, {"x", 1}};
    const cmd_arg_t getreg[] = {{"PFDEBUG", 7}, {"GETREG", 6}, {"y", 1}};
    const cmd_arg_t todense[] = {{"PFDEBUG", 7}, {"TODENSE", 7}, {"x", 1}};
    struct {
        const cmd_arg_t *argv;
        int argc;
        const char *name;
    } steps[] = {
        {count, 2, "PFCOUNT"},   {decode, 3, "DECODE"},   {encoding, 3, "ENCODING"},
        {add, 2 + nelem, "PFADD"}, {count2, 4, "PFCOUNT x nokey x"},
        {merge, 3, "PFMERGE y x"}, {getreg, 3, "GETREG y"}, {merge_self, 2, "PFMERGE x"},
        {add, 2 + nelem, "PFADD"}, {todense, 3, "TODENSE"}, {add, 2 + nelem, "PFADD"},
        {count, 2, "PFCOUNT"},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        run(steps[i].argc, steps[i].argv);
        if (!valid)
            continue;
        bool counting = steps[i].argv == count || steps[i].argv == count2;
        FZ_CHECK(!(counting && is_error()), "%s of a valid HLL failed: %.*s", steps[i].name,
                 (int)g_r.len, g_r.buf);
        check_still_valid(before, now, steps[i].name);
        if (steps[i].argv == merge)
            FZ_CHECK(valid_regs("y", now), "PFMERGE made an invalid HLL");
    }
    reply_free(&g_r);
    ks_destroy(g_ks);
    free(v);
    return 0;
}
