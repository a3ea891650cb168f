/*
 * srvcmd_persist.c - SAVE, BGSAVE [SCHEDULE] and LASTSAVE (Redis 7.0's
 * replies), and the hold of every shard that SAVE and SHUTDOWN take to
 * write a snapshot from the connection (net/persist/persist.h).
 */
#include <errno.h>
#include <string.h>

#include "srvcmd.h"
#include "net/conn/dispatch.h"
#include "net/conn/txn.h"
#include "net/persist/persist.h"
#include "store/base/errors.h"

bool srvcmd_hold_all(conn_t *c)
{
	uint8_t want[SERVER_MAX_SHARDS];
	memset(want, 1, (size_t)srv.nshards);
	if (txn_hold(c, want))
		return true;
	c->must_wait = true; /* routed again once every shard is ours */
	return false;
}

void srvcmd_save(conn_t *c, int argc, const cmd_arg_t *argv)
{
	(void)argc, (void)argv;
	if (!persist_bgsave_running() && !srvcmd_hold_all(c))
		return;
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	char err[512];
	if (persist_bgsave_running())
		reply_error(r, ERR_BGSAVE_RUNNING);
	else if (persist_save(err, sizeof(err)) == 0)
		reply_ok(r);
	else
		reply_error(r, ERR_SAVE_FAILED);
	dispatch_finish_now(c, req);
}

void srvcmd_bgsave(conn_t *c, int argc, const cmd_arg_t *argv)
{
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
	bool schedule = argc == 2 && srvcmd_arg_is(&argv[1], "schedule");
	if (argc > 2 || (argc == 2 && !schedule)) {
		reply_error(r, ERR_SYNTAX);
	} else {
		int rc = persist_bgsave(schedule);
		if (rc == 0)
			reply_simple(r, "Background saving started", 25);
		else if (rc == 1)
			reply_simple(r, "Background saving scheduled", 27);
		else if (rc == -EBUSY)
			reply_error(r, ERR_BGSAVE_RUNNING);
		else
			reply_error(r, ERR_OUT_OF_MEMORY);
	}
	dispatch_finish_now(c, req);
}

void srvcmd_lastsave(conn_t *c, int argc, const cmd_arg_t *argv)
{
	(void)argc, (void)argv;
	req_t *req;
	reply_int(dispatch_reply_now(c, &req), persist_lastsave());
	dispatch_finish_now(c, req);
}
