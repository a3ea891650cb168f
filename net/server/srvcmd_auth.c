/*
 * srvcmd_auth.c - AUTH and HELLO: requirepass for the default user, and
 * the protocol switch to RESP3 (with HELLO's AUTH and SETNAME options),
 * with Redis 7.0's errors.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srvcmd.h"
#include "net/conn/dispatch.h"
#include "store/base/errors.h"

static bool password_ok(const char *want, const cmd_arg_t *pass)
{
	size_t wl = strlen(want);
	unsigned diff = (unsigned)(wl != pass->len);
	for (size_t i = 0; i < pass->len; i++)
		diff |= (unsigned char)pass->ptr[i] ^
			(unsigned char)(i < wl ? want[i] : 0);
	return diff == 0;
}

/* AUTH password | AUTH username password: true when accepted; else the
 * error is in @r. */
static bool authenticate(conn_t *c, const cmd_arg_t *user,
			 const cmd_arg_t *pass, reply_t *r)
{
	if (user && !srvcmd_arg_is(user, "default")) {
		reply_error(r, ERR_WRONGPASS);
		return false;
	}
	const config_t *cfg = server_cfg();
	if (cfg->requirepass[0] == '\0') {
		if (user) /* the default user has nopass: anything goes */
			return c->authed = true;
		reply_error(r, ERR_AUTH_NO_PASSWORD);
		return false;
	}
	if (!password_ok(cfg->requirepass, pass)) {
		reply_error(r, ERR_WRONGPASS);
		return false;
	}
	c->authed = true;
	c->limits.auth_required = false;
	return true;
}

void srvcmd_auth(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	if (argc > 3)
		reply_error(r, ERR_SYNTAX);
	else if (authenticate(c, argc == 3 ? &argv[1] : NULL,
			      &argv[argc - 1], r))
		reply_ok(r);
	dispatch_finish_now(c, req);
}

static void set_proto(conn_t *c, int proto)
{
	c->proto = proto;
	c->out.proto = proto;
}

void srvcmd_hello(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	long long ver = c->proto;
	const cmd_arg_t *user = NULL, *pass = NULL, *name = NULL;
	if (argc >= 2) {
		if (!srvcmd_parse_ll(&argv[1], &ver)) {
			reply_error(r, ERR_HELLO_PROTOVER);
			goto out;
		}
		for (int i = 2; i < argc; i++) {
			int more = argc - i - 1;
			if (srvcmd_arg_is(&argv[i], "auth") && more >= 2) {
				user = &argv[i + 1];
				pass = &argv[i + 2];
				i += 2;
			} else if (srvcmd_arg_is(&argv[i], "setname") && more >= 1) {
				name = &argv[i + 1];
				i += 1;
			} else {
				reply_errorf(r, ERRF_HELLO_OPTION, (int)argv[i].len,
					     argv[i].ptr);
				goto out;
			}
		}
	}
	if (ver < 2 || ver > 3) {
		reply_error(r, ERR_NOPROTO);
		goto out;
	}
	if (user && !authenticate(c, user, pass, r))
		goto out;
	if (!c->authed) {
		reply_error(r, ERR_HELLO_NOAUTH);
		goto out;
	}
	if (name) {
		bool ok = name->len < sizeof(c->name);
		for (size_t i = 0; ok && i < name->len; i++)
			ok = name->ptr[i] > ' ' && name->ptr[i] <= '~';
		if (!ok) {
			reply_error(r, ERR_CLIENT_NAME);
			goto out;
		}
		memcpy(c->name, name->ptr, name->len);
		c->name[name->len] = '\0';
	}
	set_proto(c, (int)ver);
	r->proto = (int)ver;
	reply_map(r, 7);
	reply_bulk_cstr(r, "server");
	reply_bulk_cstr(r, "redis");
	reply_bulk_cstr(r, "version");
	reply_bulk_cstr(r, "7.0.15");
	reply_bulk_cstr(r, "proto");
	reply_int(r, ver);
	reply_bulk_cstr(r, "id");
	reply_int(r, (long long)c->id);
	reply_bulk_cstr(r, "mode");
	reply_bulk_cstr(r, "standalone");
	reply_bulk_cstr(r, "role");
	reply_bulk_cstr(r, "master");
	reply_bulk_cstr(r, "modules");
	reply_array(r, 0);
out:
	dispatch_finish_now(c, req);
}

