/*
 * bitfield.c - BITFIELD key [GET type off | SET type off v | INCRBY type
 * off incr | OVERFLOW WRAP|SAT|FAIL]... and BITFIELD_RO (GET only), as
 * Redis 7.0's bitfieldGeneric.
 *
 * As Redis: every operation is parsed before anything runs (the first bad
 * argument is the error, and BITFIELD_RO refuses a write only after the
 * whole parse); a call with a write grows the string once, zero-filled,
 * up to the farthest bit written (creating the key even if every write
 * then fails its OVERFLOW FAIL check); GETs past the end read zeros.
 * OVERFLOW applies to the operations after it.  Types are i1..i64 and
 * u1..u63; "#N" offsets mean N times the type's width.
 *
 * Concurrency: as cmd_exec.
 */
#include <stdlib.h>
#include <string.h>

#include "bits.h"
#include "store/cmd/proc.h"
#include "store/db/entry.h"

enum op_kind { OP_GET, OP_SET, OP_INCRBY };

typedef struct bf_op {
    uint64_t off;
    int64_t arg;            /* SET's value, INCRBY's increment */
    uint8_t kind;           /* enum op_kind */
    uint8_t ow;             /* enum bits_overflow */
    uint8_t bits;
    bool sign;
} bf_op_t;

/* Parse argv[2..] into ops (at most (argc - 2) / 3 + 1 of them).  Returns
 * how many, or -1 after replying the error; *highest is the last bit any
 * write touches and *writes whether there is one. */
static int parse_ops(cmd_ctx_t *ctx, bf_op_t *ops, uint64_t *highest, bool *writes)
{
    int n = 0;
    uint8_t ow = BITS_WRAP;
    *highest = 0;
    *writes = false;
    for (int j = 2; j < ctx->argc; j++) {
        int rem = ctx->argc - j - 1;
        const cmd_arg_t *a = &ctx->argv[j];
        enum op_kind kind;
        if (cmd__opt_is(a, "get") && rem >= 2)
            kind = OP_GET;
        else if (cmd__opt_is(a, "set") && rem >= 3)
            kind = OP_SET;
        else if (cmd__opt_is(a, "incrby") && rem >= 3)
            kind = OP_INCRBY;
        else if (cmd__opt_is(a, "overflow") && rem >= 1) {
            const cmd_arg_t *t = &ctx->argv[++j];
            if (cmd__opt_is(t, "wrap"))
                ow = BITS_WRAP;
            else if (cmd__opt_is(t, "sat"))
                ow = BITS_SAT;
            else if (cmd__opt_is(t, "fail"))
                ow = BITS_FAIL;
            else {
                reply_error(ctx->reply, ERR_BITFIELD_OVERFLOW);
                return -1;
            }
            continue;
        } else {
            reply_error(ctx->reply, ERR_SYNTAX);
            return -1;
        }
        bf_op_t *op = &ops[n];
        unsigned bits;
        const cmd_arg_t *t = &ctx->argv[j + 1], *o = &ctx->argv[j + 2];
        if (!bits_parse_type(t->ptr, t->len, &op->sign, &bits)) {
            reply_error(ctx->reply, ERR_BITFIELD_TYPE);
            return -1;
        }
        if (!bits_parse_offset(o->ptr, o->len, bits, &op->off)) {
            reply_error(ctx->reply, ERR_BIT_OFFSET);
            return -1;
        }
        op->arg = 0;
        if (kind != OP_GET) {
            *writes = true;
            if (*highest < op->off + bits - 1)
                *highest = op->off + bits - 1;
            long long v;
            if (!cmd__arg_ll(ctx, j + 3, &v))
                return -1;
            op->arg = v;
        }
        op->kind = (uint8_t)kind;
        op->ow = ow;
        op->bits = (uint8_t)bits;
        n++;
        j += kind == OP_GET ? 2 : 3;
    }
    return n;
}

/* GET on a read-only view of len bytes: the field, zeros past the end. */
static void reply_get(cmd_ctx_t *ctx, const unsigned char *s, size_t len, const bf_op_t *op)
{
    unsigned char buf[9] = {0};
    uint64_t byte = op->off >> 3;
    for (uint64_t i = 0; i < 9 && byte + i < len; i++)
        buf[i] = s[byte + i];
    uint64_t off = op->off & 7;
    if (op->sign)
        reply_int(ctx->reply, bits_get_signed(buf, off, op->bits));
    else
        reply_int(ctx->reply, (long long)bits_get_field(buf, off, op->bits));
}

/* SET or INCRBY on the writable p (long enough for the field). */
static void run_write(cmd_ctx_t *ctx, unsigned char *p, const bf_op_t *op)
{
    int64_t old = op->sign ? bits_get_signed(p, op->off, op->bits)
                           : (int64_t)bits_get_field(p, op->off, op->bits);
    int64_t val;
    int over = op->kind == OP_INCRBY
        ? bits_field_add(op->sign, op->bits, old, op->arg, op->ow, &val)
        : bits_field_add(op->sign, op->bits, op->arg, 0, op->ow, &val);
    if (over && op->ow == BITS_FAIL) {
        reply_null(ctx->reply);
        return;
    }
    bits_set_field(p, op->off, op->bits, (uint64_t)val);
    reply_int(ctx->reply, op->kind == OP_INCRBY ? val : old);
}

static void bitfield(cmd_ctx_t *ctx, bool readonly)
{
    bf_op_t *ops = malloc(((size_t)ctx->argc / 2 + 1) * sizeof *ops);
    if (!ops) {
        cmd__reply_oom(ctx);
        return;
    }
    uint64_t highest;
    bool writes, wrong;
    int n = parse_ops(ctx, ops, &highest, &writes);
    if (n < 0)
        goto out;
    if (writes && readonly) {
        reply_error(ctx->reply, ERR_BITFIELD_RO);
        goto out;
    }
    entry_t *e = cmd__find_typed(ctx, 1, OBJ_STRING, &wrong);
    if (wrong)
        goto out;
    unsigned char *p = NULL;
    size_t len = 0;
    char tmp[NUM_LL_BUF];
    if (writes) {
        const cmd_arg_t *k = &ctx->argv[1];
        size_t need = (size_t)(highest >> 3) + 1;
        len = e ? entry_strlen(e) : 0;
        if (need > len)
            len = need;
        if (e) {
            p = (unsigned char *)ks_resize(ctx->ks, e, len);
        } else {
            e = ks_add_zeroed(ctx->ks, k->ptr, k->len, len);
            p = e ? (unsigned char *)entry_raw(e) : NULL;
        }
        if (!p) {
            cmd__reply_oom(ctx);
            goto out;
        }
    } else if (e) {
        p = (unsigned char *)entry_str(e, tmp, &len);
    }
    reply_array(ctx->reply, (size_t)n);
    for (int i = 0; i < n; i++) {
        if (ops[i].kind == OP_GET)
            reply_get(ctx, p, len, &ops[i]);
        else
            run_write(ctx, p, &ops[i]);
    }
out:
    free(ops);
}

void cmd__bitfield(cmd_ctx_t *ctx)
{
    bitfield(ctx, false);
}

void cmd__bitfield_ro(cmd_ctx_t *ctx)
{
    bitfield(ctx, true);
}
