/*
 * srvcmd_shutdown.c - SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT], as
 * Redis 7.0 parses it.
 *
 * FlashKV keeps nothing on disk, so there is nothing to save: SHUTDOWN
 * (with NOSAVE, NOW or nothing) runs the same graceful shutdown as SIGTERM
 * (main.c: stop accepting, let every connection finish what is in flight,
 * exit 0), and the asking client gets no reply, only the close, as from
 * Redis.  SHUTDOWN SAVE fails as a Redis whose save fails does, unless
 * FORCE says to go on anyway.  A shutdown cannot be aborted once begun, so
 * ABORT always finds none in progress.
 */
#include <signal.h>
#include <unistd.h>

#include "srvcmd.h"
#include "net/conn/dispatch.h"
#include "net/core/log.h"
#include "store/base/errors.h"

void srvcmd_shutdown(conn_t *c, int argc, const cmd_arg_t *argv)
{
	bool nosave = false, save = false, force = false, abort_ = false;
	req_t *req;
	reply_t *r = dispatch_reply_now(c, &req);
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
	if (abort_) {
		reply_error(r, ERR_NO_SHUTDOWN);
	} else if (save && !force) {
		log_warning("SHUTDOWN SAVE: FlashKV keeps no data on disk, "
			    "nothing can be saved; not shutting down (FORCE "
			    "would)");
		reply_error(r, ERR_SHUTDOWN_FAILED);
	} else {
		/* main's sigwait sees our own pid and logs a user request. */
		kill(getpid(), SIGTERM);
	}
	dispatch_finish_now(c, req);
	return;
syntax:
	reply_error(r, ERR_SYNTAX);
	dispatch_finish_now(c, req);
}
