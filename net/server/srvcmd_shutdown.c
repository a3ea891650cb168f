/*
 * srvcmd_shutdown.c - SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT], as
 * Redis 7.0 parses it.
 *
 * As Redis: with SAVE, or with save points and no NOSAVE, the snapshot is
 * written first, from this connection holding every shard; if that fails
 * the server stays up and answers an error, unless FORCE says to go on.
 * Then the same graceful shutdown as SIGTERM (main.c: stop accepting, let
 * every connection finish what is in flight, exit 0), told not to save
 * again, and the asking client gets no reply, only the close.  A shutdown
 * cannot be aborted once begun, so ABORT always finds none in progress.
 */
#include <signal.h>
#include <unistd.h>

#include "srvcmd.h"
#include "net/conn/dispatch.h"
#include "net/core/log.h"
#include "net/persist/persist.h"
#include "store/base/errors.h"

void srvcmd_shutdown(conn_t *c, int argc, const cmd_arg_t *argv)
{
	bool nosave = false, save = false, force = false, abort_ = false;
	req_t *req;
	for (int i = 1; i < argc; i++) {
		if (srvcmd_arg_is(&argv[i], "nosave"))
			nosave = true;
		else if (srvcmd_arg_is(&argv[i], "save"))
			save = true;
		else if (srvcmd_arg_is(&argv[i], "now"))
			;  /* nothing to wait for: no replicas */
		else if (srvcmd_arg_is(&argv[i], "force"))
			force = true;
		else if (srvcmd_arg_is(&argv[i], "abort"))
			abort_ = true;
		else
			goto syntax;
	}
	if ((abort_ && argc > 2) || (nosave && save))
		goto syntax;
	/* While loading, the data is partial: never saved (Redis's rule). */
	bool saving = !abort_ && !nosave && (save || server_cfg()->save[0]) &&
		      !ck_pr_load_int(&srv.loading);
	if (saving && !srvcmd_hold_all(c))
		return; /* routed again with every shard held */
	reply_t *r = dispatch_reply_now(c, &req);
	char err[512];
	bool saved = saving && persist_save(err, sizeof(err)) == 0;
	if (abort_) {
		reply_error(r, ERR_NO_SHUTDOWN);
	} else if (saving && !saved && !force) {
		log_warning("Error trying to save the DB, can't exit.");
		reply_error(r, ERR_SHUTDOWN_FAILED);
	} else {
		/* main then saves again only what changed since (writes of
		 * other clients in flight), or nothing.  Its sigwait sees our
		 * own pid and logs a user request. */
		ck_pr_store_int(&srv.shutdown_save, saved ? SHUTDOWN_SAVED
							  : SHUTDOWN_NO_SAVE);
		kill(getpid(), SIGTERM);
	}
	dispatch_finish_now(c, req);
	return;
syntax:
	reply_error(dispatch_reply_now(c, &req), ERR_SYNTAX);
	dispatch_finish_now(c, req);
}
