/*
 * fuzz_resp.c - libFuzzer target for the bytes a client or a server sends:
 * the request parser (net/proto/resp.h), the inline/config argument
 * splitter (resp_split.h) and the client-side reply scanner
 * (resp_reply.h), all over the same input.
 *
 * Input: byte 0 picks the limits (auth or not; default, small or tiny
 * sizes), byte 1 seeds the split points; the rest is the stream.
 *
 * Parser: the stream is parsed once whole and once as a connection
 * receives it, in pieces at pseudo-random points, into a buffer that is
 * compacted and moved between calls (the parser keeps offsets only).  Both
 * must give the same commands; the piecewise run may only stop earlier
 * with a "too big" error (its unterminated line passed the limit before
 * the rest arrived: Redis does the same).  Every command's arguments lie
 * in the consumed bytes, in order, within the limits, and survive
 * resp_encode_command and a second parse unchanged; after an error a reset
 * parser parses a good command.
 *
 * Splitter: every line of the stream, in a buffer of its exact size: the
 * arguments stay in the line, in order; a line without quotes splits
 * into its blank-separated words.
 *
 * Reply scanner: replies are cut off the stream one after another; each
 * one is found again when exactly its bytes are given, every shorter
 * prefix of it needs more bytes, and its type is its first byte (after
 * an attribute).
 *
 * Concurrency: single-threaded (one fuzzer process, one input at a time).
 */
#include <ctype.h>
#include <errno.h>

#include "net/proto/resp.h"
#include "net/proto/resp_reply.h"
#include "net/proto/resp_split.h"
#include "tests/fuzz/fuzz.h"

/* ---- a log of parsed commands, re-encoded as RESP, to compare runs ---- */

typedef struct cmdlog {
    char *buf;
    size_t len, cap;
    size_t ncmds;
    size_t *ends; /* end offset of each command in buf */
    size_t ecap;
} cmdlog_t;

static void log_add(cmdlog_t *l, int argc, const resp_arg_t *argv)
{
    size_t need = resp_encode_command(NULL, 0, argc, argv);
    if (l->len + need > l->cap) {
        l->cap = (l->len + need) * 2;
        l->buf = fz_xrealloc(l->buf, l->cap);
    }
    size_t wrote = resp_encode_command(l->buf + l->len, l->cap - l->len, argc, argv);
    FZ_CHECK(wrote == need, "encode wrote %zu, sized %zu", wrote, need);
    l->len += need;
    if (l->ncmds == l->ecap) {
        l->ecap = l->ecap ? l->ecap * 2 : 16;
        l->ends = fz_xrealloc(l->ends, l->ecap * sizeof *l->ends);
    }
    l->ends[l->ncmds++] = l->len;
}

static void log_free(cmdlog_t *l)
{
    free(l->buf);
    free(l->ends);
}

static bool is_too_big(int rc)
{
    return rc == RESP_ERR_INLINE_TOO_BIG || rc == RESP_ERR_MBULK_STR_TOO_BIG ||
           rc == RESP_ERR_BULK_STR_TOO_BIG;
}

/* What holds for any command the parser returns from buf[0..consumed). */
static void check_command(const char *buf, size_t consumed, int argc, const resp_arg_t *argv)
{
    FZ_CHECK(argc >= 1, "argc %d", argc);
    const char *prev_end = buf;
    for (int i = 0; i < argc; i++) {
        FZ_CHECK(argv[i].ptr >= prev_end, "arg %d starts before the previous one ends", i);
        FZ_CHECK(argv[i].len <= consumed && argv[i].ptr + argv[i].len <= buf + consumed,
                 "arg %d past the consumed bytes", i);
        prev_end = argv[i].ptr + argv[i].len;
    }
    /* The request encoding parses back to the same arguments. */
    size_t need = resp_encode_command(NULL, 0, argc, argv);
    char *enc = fz_xmalloc(need);
    FZ_CHECK(resp_encode_command(enc, need, argc, argv) == need, "encode size");
    resp_parser_t p;
    resp_parser_init(&p);
    const resp_arg_t *av;
    int ac;
    size_t used;
    int rc = resp_parse(&p, enc, need, NULL, &av, &ac, &used);
    FZ_CHECK(rc == RESP_OK && used == need && ac == argc, "reparse rc %d used %zu/%zu argc %d/%d",
             rc, used, need, ac, argc);
    for (int i = 0; i < argc; i++)
        FZ_CHECK(fz_eq(av[i].ptr, av[i].len, argv[i].ptr, argv[i].len), "reparse arg %d", i);
    resp_parser_free(&p);
    free(enc);
}

static void check_error(resp_parser_t *p, int rc)
{
    FZ_CHECK(rc == -ENOMEM || resp_strerror(rc) != NULL, "no text for %d", rc);
    FZ_CHECK(rc == -ENOMEM || resp_parser_strerror(p, rc) != NULL, "no parser text for %d", rc);
    /* A reset parser starts clean. */
    resp_parser_reset(p);
    char ping[] = "*1\r\n$4\r\nPING\r\n";
    const resp_arg_t *av;
    int ac;
    size_t used;
    int r2 = resp_parse(p, ping, sizeof ping - 1, NULL, &av, &ac, &used);
    FZ_CHECK(r2 == RESP_OK && ac == 1 && used == sizeof ping - 1 && fz_eq(av[0].ptr, 4, "PING", 4),
             "after reset: rc %d", r2);
}

/* The whole stream at once. Returns the terminal code. */
static int parse_whole(const uint8_t *data, size_t size, const resp_limits_t *lim, cmdlog_t *log)
{
    char *buf = fz_xmalloc(size);
    memcpy(buf, data, size);
    resp_parser_t p;
    resp_parser_init(&p);
    size_t off = 0;
    int rc;
    for (;;) {
        const resp_arg_t *argv;
        int argc;
        size_t used;
        rc = resp_parse(&p, buf + off, size - off, lim, &argv, &argc, &used);
        FZ_CHECK(used <= size - off, "consumed %zu of %zu", used, size - off);
        if (rc != RESP_OK) {
            off += used;
            break;
        }
        FZ_CHECK(used > 0, "a command of no bytes");
        check_command(buf + off, used, argc, argv);
        log_add(log, argc, argv);
        off += used;
    }
    if (rc < 0)
        check_error(&p, rc);
    resp_parser_free(&p);
    free(buf);
    return rc;
}

static uint32_t rng_next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* The stream as a connection gets it: pieces appended to a buffer that
 * moves on every append and drops what was consumed. */
static int parse_pieces(const uint8_t *data, size_t size, const resp_limits_t *lim,
                        uint32_t seed, cmdlog_t *log)
{
    resp_parser_t p;
    resp_parser_init(&p);
    char *buf = NULL;
    size_t len = 0, fed = 0;
    int rc = RESP_NEED_MORE;
    uint32_t s = seed * 2654435761u + 1;
    while (fed < size) {
        size_t piece;
        switch (rng_next(&s) % 4) {
        case 0:
            piece = 1;
            break;
        case 1:
            piece = 1 + rng_next(&s) % 8;
            break;
        case 2:
            piece = 1 + rng_next(&s) % 256;
            break;
        default:
            piece = size - fed;
        }
        if (piece > size - fed)
            piece = size - fed;
        /* A new allocation each time: a pointer kept into the old one is
         * a use after free ASan reports. */
        char *nb = fz_xmalloc(len + piece);
        if (len)
            memcpy(nb, buf, len);
        memcpy(nb + len, data + fed, piece);
        free(buf);
        buf = nb;
        len += piece;
        fed += piece;
        for (;;) {
            const resp_arg_t *argv;
            int argc;
            size_t used;
            rc = resp_parse(&p, buf, len, lim, &argv, &argc, &used);
            FZ_CHECK(used <= len, "consumed %zu of %zu", used, len);
            if (rc == RESP_OK) {
                FZ_CHECK(used > 0, "a command of no bytes");
                check_command(buf, used, argc, argv);
                log_add(log, argc, argv);
            }
            memmove(buf, buf + used, len - used);
            len -= used;
            if (rc != RESP_OK)
                break;
        }
        if (rc != RESP_NEED_MORE)
            break;
    }
    if (rc < 0)
        check_error(&p, rc);
    resp_parser_free(&p);
    free(buf);
    return rc;
}

static void fuzz_parser(const uint8_t *data, size_t size, const resp_limits_t *lim, uint32_t seed)
{
    cmdlog_t whole = {0}, pieces = {0};
    int rw = parse_whole(data, size, lim, &whole);
    int rp = parse_pieces(data, size, lim, seed, &pieces);

    FZ_CHECK(pieces.ncmds <= whole.ncmds, "pieces found %zu commands, whole %zu", pieces.ncmds,
             whole.ncmds);
    size_t common = pieces.ncmds ? pieces.ends[pieces.ncmds - 1] : 0;
    FZ_CHECK(common <= whole.len && (common == 0 || memcmp(pieces.buf, whole.buf, common) == 0),
             "the commands differ (pieces %zu, whole %zu)", pieces.ncmds, whole.ncmds);
    if (pieces.ncmds < whole.ncmds || rp != rw)
        FZ_CHECK(is_too_big(rp), "pieces ended with %d after %zu commands, whole with %d after %zu",
                 rp, pieces.ncmds, rw, whole.ncmds);
    log_free(&whole);
    log_free(&pieces);
}

/* ---- splitter ---- */

/* sdssplitargs skips isspace() bytes before a word, but only these end
 * one (so "\v" and "\f" inside a word are part of it, as in Redis). */
static bool split_blank(unsigned char c)
{
    return isspace(c);
}

static bool word_end(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static void fuzz_split_line(const uint8_t *line, size_t n)
{
    char *buf = fz_xmalloc(n);
    memcpy(buf, line, n);
    char *pos = buf, *end = buf + n;
    const char *prev_end = buf;
    resp_arg_t arg;
    int rc;
    size_t nargs = 0;
    bool plain = memchr(line, '"', n) == NULL && memchr(line, '\'', n) == NULL &&
                 memchr(line, '\0', n) == NULL;
    size_t w = 0; /* word cursor in the original line, for plain lines */
    /* A word ends at a word_end byte, which the splitter consumes. */
    while ((rc = resp_split_next(&pos, end, &arg)) == 1) {
        FZ_CHECK(arg.ptr >= prev_end && arg.ptr + arg.len <= end, "argument out of the line");
        FZ_CHECK(pos >= arg.ptr + arg.len && pos <= end, "cursor out of place");
        prev_end = arg.ptr + arg.len;
        FZ_CHECK(++nargs <= n, "more arguments than bytes");
        if (plain) {
            while (w < n && split_blank(line[w]))
                w++;
            size_t ws = w;
            while (w < n && !word_end(line[w]))
                w++;
            FZ_CHECK(fz_eq(arg.ptr, arg.len, line + ws, w - ws), "plain word %zu differs", nargs);
        }
    }
    FZ_CHECK(rc == 0 || rc == RESP_ERR_QUOTES, "split rc %d", rc);
    if (rc == 0 && plain) {
        while (w < n && split_blank(line[w]))
            w++;
        FZ_CHECK(w == n, "plain line has words left");
    }
    FZ_CHECK(!plain || rc == 0, "a line without quotes has unbalanced quotes");
    free(buf);
}

static void fuzz_split(const uint8_t *data, size_t size)
{
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || data[i] == '\n') {
            fuzz_split_line(data + start, i - start);
            start = i + 1;
        }
    }
}

/* ---- reply scanner ---- */

static void fuzz_replies(const uint8_t *data, size_t size, uint32_t seed)
{
    char *buf = fz_xmalloc(size);
    memcpy(buf, data, size);
    size_t off = 0;
    uint32_t s = seed + 77;
    while (off < size) {
        resp_reply_info_t info;
        long r = resp_reply_scan(buf + off, size - off, &info);
        FZ_CHECK(r == 0 || r == -EPROTO || (r > 0 && (size_t)r <= size - off), "scan returned %ld",
                 r);
        if (r <= 0)
            break;
        /* Exactly its bytes are enough; a copy of exactly that size
         * shows a look past the end. */
        char *exact = fz_xmalloc((size_t)r);
        memcpy(exact, buf + off, (size_t)r);
        resp_reply_info_t info2;
        FZ_CHECK(resp_reply_scan(exact, (size_t)r, &info2) == r, "exact bytes not one reply");
        FZ_CHECK(info2.flags == info.flags && info2.type == info.type, "info differs");
        for (int k = 0; k < 4; k++) {
            size_t cut = k == 0 ? (size_t)r - 1 : rng_next(&s) % (size_t)r;
            FZ_CHECK(resp_reply_scan(exact, cut, NULL) == 0, "prefix of %zu/%ld bytes not 'more'",
                     cut, r);
        }
        if (buf[off] != '|')
            FZ_CHECK(info.type == buf[off], "type '%c' for a reply starting '%c'", info.type,
                     buf[off]);
        if (info.flags & RESP_REPLY_ERROR)
            FZ_CHECK(info.type == '-' || info.type == '!', "error flag on '%c'", info.type);
        if (info.flags & RESP_REPLY_PUSH)
            FZ_CHECK(info.type == '>', "push flag on '%c'", info.type);
        free(exact);
        off += (size_t)r;
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t mode = data[0];
    uint32_t seed = data[1];
    data += 2;
    size -= 2;

    resp_limits_t lim = RESP_LIMITS_DEFAULT;
    lim.auth_required = mode & 1;
    switch ((mode >> 1) & 3) {
    case 1: /* small: the limits are reached by small inputs */
        lim.max_bulk_len = 64;
        lim.max_multibulk_len = 8;
        lim.max_inline_len = 32;
        break;
    case 2: /* tiny */
        lim.max_bulk_len = mode >> 4;
        lim.max_multibulk_len = 1 + (mode >> 6);
        lim.max_inline_len = 1 + (mode >> 4);
        break;
    default:
        break;
    }
    fuzz_parser(data, size, &lim, seed);
    fuzz_split(data, size);
    fuzz_replies(data, size, seed);
    return 0;
}
