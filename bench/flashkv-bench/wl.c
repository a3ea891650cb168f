/*
 * wl.c - command templates and request encoding (wl.h).  Templates are
 * parsed once into segments (literal bytes or a placeholder), so encoding a
 * request is copying plus a few draws, with no parsing on the hot path.
 */
#include "wl.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "net/proto/resp.h"
#include "net/proto/resp_split.h"

enum { WL_SEG_LIT, WL_SEG_KEY, WL_SEG_INT, WL_SEG_VALUE };

static const struct {
	const char *text;
	uint8_t kind;
} placeholders[] = {
	{"__key__", WL_SEG_KEY},
	{"__rand_int__", WL_SEG_INT},
	{"__value__", WL_SEG_VALUE},
	{"__data__", WL_SEG_VALUE},
};

int wl_init(wl_t *w, const keys_t *keys, const char *key_prefix,
    size_t vmin, size_t vmax, int mget_keys)
{
	memset(w, 0, sizeof(*w));
	if (vmin > vmax || strlen(key_prefix) >= sizeof(w->key_prefix) ||
	    mget_keys < 1 || mget_keys > 100)
		return -EINVAL;
	w->keys = *keys;
	strcpy(w->key_prefix, key_prefix);
	w->vmin = vmin;
	w->vmax = vmax;
	w->mget_keys = mget_keys;
	w->value = malloc(vmax ? vmax : 1);
	if (!w->value)
		return -ENOMEM;
	memset(w->value, 'x', vmax);
	return 0;
}

void wl_fini(wl_t *w)
{
	for (int i = 0; i < w->ncmd; i++)
		free(w->cmd[i].text);
	free(w->value);
	memset(w, 0, sizeof(*w));
}

static int add_seg(wl_cmd_t *c, uint8_t kind, uint32_t off, uint32_t len)
{
	if (c->nsegs == WL_MAX_SEGS)
		return -EINVAL;
	c->segs[c->nsegs++] = (wl_seg_t){kind, 0, off, len};
	return 0;
}

/* Splits one word (already unquoted, in c->text[off..off+len)) into
 * literal and placeholder segments. */
static int split_word(wl_cmd_t *c, uint32_t off, uint32_t len)
{
	uint32_t lit = off, end = off + len, p = off;
	while (p < end) {
		int hit = -1;
		size_t hl = 0;
		for (size_t k = 0; k < sizeof(placeholders) / sizeof(*placeholders); k++) {
			hl = strlen(placeholders[k].text);
			if (end - p >= hl && !memcmp(c->text + p, placeholders[k].text, hl)) {
				hit = (int)k;
				break;
			}
		}
		if (hit < 0) {
			p++;
			continue;
		}
		if (p > lit && add_seg(c, WL_SEG_LIT, lit, p - lit))
			return -EINVAL;
		if (add_seg(c, placeholders[hit].kind, 0, 0))
			return -EINVAL;
		p += (uint32_t)hl;
		lit = p;
	}
	if ((p > lit || lit == off) && add_seg(c, WL_SEG_LIT, lit, p - lit))
		return -EINVAL;
	c->segs[c->nsegs - 1].arg_end = 1;
	c->nargs++;
	return 0;
}

/* Splits @tmpl into words with the project's RESP inline rules (those of
 * redis-cli and Redis's inline commands: "..." with \n \xHH escapes,
 * '...'), unquoted in place in c->text, and each word into segments. */
static int parse_template(wl_cmd_t *c, const char *tmpl)
{
	size_t n = strlen(tmpl);
	c->text = malloc(n + 1);
	if (!c->text)
		return -ENOMEM;
	memcpy(c->text, tmpl, n + 1);
	char *pos = c->text, *end = c->text + n;
	resp_arg_t arg;
	int rc;
	while ((rc = resp_split_next(&pos, end, &arg)) == 1)
		if (split_word(c, (uint32_t)(arg.ptr - c->text), (uint32_t)arg.len))
			return -EINVAL;
	if (rc < 0)
		return -EINVAL;
	return c->nargs ? 0 : -EINVAL;
}

int wl_add_template(wl_t *w, const char *tmpl, const char *name, double weight)
{
	if (w->ncmd == WL_MAX_CMDS)
		return -ENOSPC;
	if (!(weight > 0))
		return -EINVAL;
	wl_cmd_t *c = &w->cmd[w->ncmd];
	memset(c, 0, sizeof(*c));
	int rc = parse_template(c, tmpl);
	if (rc) {
		free(c->text);
		memset(c, 0, sizeof(*c));
		return rc;
	}
	c->weight = weight;
	if (name) {
		snprintf(c->name, sizeof(c->name), "%s", name);
	} else {
		size_t l = c->segs[0].kind == WL_SEG_LIT ? c->segs[0].len : 0;
		if (l >= sizeof(c->name))
			l = sizeof(c->name) - 1;
		for (size_t i = 0; i < l; i++)
			c->name[i] = (char)toupper((unsigned char)c->text[c->segs[0].off + i]);
		if (!l)
			strcpy(c->name, "CMD");
	}
	w->ncmd++;
	return 0;
}

int wl_add_builtin(wl_t *w, const char *name, double weight)
{
	static const struct {
		const char *name, *tmpl;
	} fixed[] = {
		{"get", "GET __key__"},
		{"set", "SET __key__ __value__"},
		/* Keys of its own: INCR on a SET's value would only measure
		 * "not an integer" errors. */
		{"incr", "INCR counter:__rand_int__"},
		{"ping", "PING"},
	};
	char t[2048], up[32];
	const char *tmpl = NULL;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
		if (!strcasecmp(name, fixed[i].name))
			tmpl = fixed[i].tmpl;
	bool mset = !strcasecmp(name, "mset");
	if (!tmpl && (mset || !strcasecmp(name, "mget"))) {
		size_t o = (size_t)snprintf(t, sizeof(t), mset ? "MSET" : "MGET");
		for (int i = 0; i < w->mget_keys; i++)
			o += (size_t)snprintf(t + o, sizeof(t) - o,
			    mset ? " __key__ __value__" : " __key__");
		tmpl = t;
	}
	if (!tmpl)
		return -EINVAL;
	size_t i;
	for (i = 0; name[i] && i < sizeof(up) - 1; i++)
		up[i] = (char)toupper((unsigned char)name[i]);
	up[i] = 0;
	return wl_add_template(w, tmpl, up, weight);
}

int wl_apply_ratio(wl_t *w, const char *spec, int ntemplates, char *err,
    size_t errlen)
{
	char names[256], weights[256];
	const char *eq = strchr(spec, '=');
	if (!eq || (size_t)(eq - spec) >= sizeof(names) || strlen(eq + 1) >= sizeof(weights)) {
		snprintf(err, errlen, "ratio '%s' is not NAMES=WEIGHTS", spec);
		return -EINVAL;
	}
	memcpy(names, spec, (size_t)(eq - spec));
	names[eq - spec] = 0;
	strcpy(weights, eq + 1);
	char *sn, *sw;
	char *nm = strtok_r(names, ":", &sn), *wt = strtok_r(weights, ":", &sw);
	bool used[WL_MAX_CMDS] = {0};
	for (; nm || wt; nm = strtok_r(NULL, ":", &sn), wt = strtok_r(NULL, ":", &sw)) {
		if (!nm || !wt) {
			snprintf(err, errlen, "ratio '%s': as many weights as names", spec);
			return -EINVAL;
		}
		char *end;
		double weight = strtod(wt, &end);
		if (*end || weight < 0) {
			snprintf(err, errlen, "ratio '%s': bad weight '%s'", spec, wt);
			return -EINVAL;
		}
		int ti = 0;
		if ((nm[0] == 'c' || nm[0] == 'C') && sscanf(nm + 1, "%d", &ti) == 1) {
			if (ti < 1 || ti > ntemplates) {
				snprintf(err, errlen, "ratio '%s': no --command number %d", spec, ti);
				return -EINVAL;
			}
			w->cmd[ti - 1].weight = weight;
			used[ti - 1] = true;
			continue;
		}
		if (weight == 0)
			continue;
		if (wl_add_builtin(w, nm, weight)) {
			snprintf(err, errlen, "ratio '%s': unknown command '%s' "
			    "(get set incr mget mset ping c1 c2 ...)", spec, nm);
			return -EINVAL;
		}
	}
	/* Templates a ratio names no weight for are left out of the mix. */
	for (int i = 0; i < ntemplates; i++)
		if (!used[i])
			w->cmd[i].weight = 0;
	return 0;
}

int wl_finish(wl_t *w)
{
	/* Drop what a ratio weighted 0, so rounding can never pick it. */
	int n = 0;
	for (int i = 0; i < w->ncmd; i++) {
		if (w->cmd[i].weight > 0) {
			if (n != i)
				w->cmd[n] = w->cmd[i];
			n++;
		} else {
			free(w->cmd[i].text);
		}
	}
	w->ncmd = n;
	double total = 0;
	for (int i = 0; i < w->ncmd; i++)
		total += w->cmd[i].weight;
	if (w->ncmd == 0 || !(total > 0))
		return -EINVAL;
	double acc = 0;
	for (int i = 0; i < w->ncmd; i++) {
		acc += w->cmd[i].weight;
		w->cum[i] = acc / total;
	}
	w->cum[w->ncmd - 1] = 1.0;
	return 0;
}

void wl_gen_init(const wl_t *w, wl_gen_t *g, uint64_t seed, int part, int parts)
{
	rng_seed(&g->rng, seed * 0x9e3779b97f4a7c15ull + (uint64_t)part);
	keys_cursor_init(&w->keys, &g->cur, part, parts);
}

static char *put_u64(char *p, uint64_t v)
{
	char tmp[20];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static size_t max_len(const wl_t *w, const wl_cmd_t *c)
{
	size_t n = 32 + (size_t)c->nargs * 32;
	size_t kl = strlen(w->key_prefix) + 20;
	for (int i = 0; i < c->nsegs; i++) {
		const wl_seg_t *s = &c->segs[i];
		n += s->kind == WL_SEG_LIT ? s->len :
		     s->kind == WL_SEG_KEY ? kl :
		     s->kind == WL_SEG_INT ? 20 : w->vmax;
	}
	return n;
}

int wl_emit_cmd(const wl_t *w, wl_gen_t *g, int ci, buf_t *out)
{
	const wl_cmd_t *c = &w->cmd[ci];
	if (buf_reserve(out, max_len(w, c)))
		return -ENOMEM;
	char *p = out->data + out->len;
	size_t plen = strlen(w->key_prefix);
	uint64_t draw[WL_MAX_SEGS];
	char kbuf[20];

	*p++ = '*';
	p = put_u64(p, (uint64_t)c->nargs);
	*p++ = '\r';
	*p++ = '\n';
	for (int a = 0; a < c->nsegs;) {
		/* First pass over the argument: draw, and add up its length. */
		int b = a;
		size_t len = 0;
		for (;; b++) {
			const wl_seg_t *s = &c->segs[b];
			switch (s->kind) {
			case WL_SEG_LIT:
				len += s->len;
				break;
			case WL_SEG_KEY:
			case WL_SEG_INT:
				draw[b] = keys_next(&w->keys, &g->cur, &g->rng);
				len += keys_format(draw[b], kbuf) +
				    (s->kind == WL_SEG_KEY ? plen : 0);
				break;
			default:
				draw[b] = w->vmin == w->vmax ? w->vmin :
				    w->vmin + rng_below(&g->rng, w->vmax - w->vmin + 1);
				len += draw[b];
			}
			if (s->arg_end)
				break;
		}
		*p++ = '$';
		p = put_u64(p, len);
		*p++ = '\r';
		*p++ = '\n';
		/* Second pass: the bytes. */
		for (; a <= b; a++) {
			const wl_seg_t *s = &c->segs[a];
			switch (s->kind) {
			case WL_SEG_LIT:
				memcpy(p, c->text + s->off, s->len);
				p += s->len;
				break;
			case WL_SEG_KEY:
				memcpy(p, w->key_prefix, plen);
				p += plen;
				/* fall through */
			case WL_SEG_INT:
				p += keys_format(draw[a], p);
				break;
			default:
				memcpy(p, w->value, draw[a]);
				p += draw[a];
			}
		}
		*p++ = '\r';
		*p++ = '\n';
	}
	out->len = (size_t)(p - out->data);
	return ci;
}

int wl_pick(const wl_t *w, wl_gen_t *g)
{
	int ci = 0;
	if (w->ncmd > 1) {
		double u = rng_unit(&g->rng);
		while (ci < w->ncmd - 1 && u >= w->cum[ci])
			ci++;
	}
	return ci;
}

int wl_emit(const wl_t *w, wl_gen_t *g, buf_t *out)
{
	return wl_emit_cmd(w, g, wl_pick(w, g), out);
}
