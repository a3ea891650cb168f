/*
 * main.c - flashkv-server: configuration, start-up, signals, shutdown.
 *
 * Start: parse `[config-file] [--option value ...]`, create the actor
 * system (one worker per CPU of the affinity mask unless `threads` says
 * otherwise), the shards, the acceptor and the sweeper, then wait for a
 * signal.  SIGINT/SIGTERM: save the snapshot if there are save points
 * (a failure keeps the server up, as Redis), stop accepting, let every
 * connection finish the replies in flight (bounded wait), stop the
 * workers, save again what changed meanwhile, free everything, exit 0.
 */
#include <errno.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <ck_pr.h>

#include "acceptor.h"
#include "cfglive.h"
#include "srvcmd.h"
#include "net/core/log.h"
#include "net/persist/persist.h"
#include "net/shard/sweeper.h"
#include "store/commands.h"

static void make_run_id(void)
{
	static const char hex[] = "0123456789abcdef";
	FILE *f = fopen("/dev/urandom", "rb");
	unsigned char b[20] = { 0 };
	if (!f || fread(b, 1, sizeof(b), f) != sizeof(b)) {
		unsigned s = (unsigned)time(NULL) ^ (unsigned)getpid();
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)rand_r(&s);
	}
	if (f)
		fclose(f);
	for (int i = 0; i < 20; i++) {
		srv.run_id[2 * i] = hex[b[i] >> 4];
		srv.run_id[2 * i + 1] = hex[b[i] & 15];
	}
	srv.run_id[40] = '\0';
}

/* `threads 0`: one worker per CPU of the affinity mask, except on one or
 * two CPUs, where one worker serves best: measured on a 2-CPU machine with
 * the clients on the same machine, a second worker cost 1.7x the CPU per
 * request (every other command crosses workers and wakes one), and took
 * the clients' CPU (README, "FlashKV against redis-server"). */
static int default_workers(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	int n = CPU_COUNT(&set);
	return n <= 2 ? 1 : n;
}

static int start(char *err, size_t errlen)
{
	/* As Redis at start: the file limit for maxclients, or fewer clients. */
	srv.cfg.maxclients = cfglive_adjust_nofile(srv.cfg.maxclients);
	if (srv.cfg.maxclients < 1) {
		snprintf(err, errlen, "Your current 'ulimit -n' is not enough "
			 "for the server to start. Please increase your open "
			 "file limit. Exiting.");
		return -EMFILE;
	}
	if (cfglive_init() < 0) {
		snprintf(err, errlen, "Out of memory at start-up");
		return -ENOMEM;
	}
	act_config_t ac;
	act_config_default(&ac);
	ac.workers = srv.cfg.threads ? srv.cfg.threads : default_workers();
	ac.pin = srv.cfg.pin_threads;
	ac.spin_ns = (uint64_t)srv.cfg.spin_us * 1000;
	int rc = act_system_create(&ac, &srv.sys);
	if (rc < 0) {
		snprintf(err, errlen, "Cannot create workers: %s", strerror(-rc));
		return rc;
	}
	srv.nworkers = act_system_workers(srv.sys);
	srv.nshards = srv.cfg.shards ? srv.cfg.shards : srv.nworkers;
	if (srv.nshards > SERVER_MAX_SHARDS)
		srv.nshards = SERVER_MAX_SHARDS;
	server_count_tables(cmd_at(0), cmd_count(), srvcmd_at(0), srvcmd_count());
	route_set_conn_commands(srvcmd_lookup);
	srv.wstats = calloc((size_t)srv.nworkers, sizeof(worker_stats_t));
	for (int w = 0; srv.wstats && w < srv.nworkers; w++)
		if (!(srv.wstats[w].cmdstats = calloc(cmd_count() + srvcmd_count(),
						      sizeof(cmdstat_t))))
			return -ENOMEM;
	if (!srv.wstats || conn_module_init() < 0 || conn_module_start() < 0 ||
	    shard_create_all() < 0) {
		snprintf(err, errlen, "Out of memory at start-up");
		return -ENOMEM;
	}
	/* Clients get -LOADING until main has read the file (main()). */
	srv.loading = access(srv.cfg.dbfilename, F_OK) == 0;
	srv.acceptor = acceptor_start(err, errlen);
	if (!srv.acceptor)
		return -EADDRINUSE;
	srv.sweeper = sweeper_start();
	srv.saver = saver_start();
	return act_system_start(srv.sys);
}

static void stop_everything(void)
{
	if (srv.sys)
		act_system_shutdown(srv.sys);
	shard_destroy_all();
	conn_module_release();
	if (srv.acceptor)
		act_actor_unref(srv.acceptor);
	if (srv.sweeper)
		act_actor_unref(srv.sweeper);
	if (srv.saver)
		act_actor_unref(srv.saver);
	if (srv.sys)
		act_system_destroy(srv.sys);
	conn_module_fini();
	cfglive_fini();
	for (int w = 0; srv.wstats && w < srv.nworkers; w++)
		free(srv.wstats[w].cmdstats);
	free(srv.wstats);
}

/* SIGTERM/SIGINT with save points: the snapshot first, by the saver,
 * while everything still runs, so that a failure leaves the server up
 * (as Redis: it logs and goes on).  0: saved or nothing to save. */
static int signal_save(void)
{
	if (srv.cfg.save[0] == '\0' && server_cfg()->save[0] == '\0')
		return 0;
	log_notice("Saving the final RDB snapshot before exiting.");
	for (;;) {
		while (persist_bgsave_running())
			usleep(1000);
		if (persist_bgsave(false) == 0)
			break;
	}
	while (persist_bgsave_running())
		usleep(1000);
	if (!persist_last_bgsave_ok())
		return -1;
	ck_pr_store_int(&srv.shutdown_save, SHUTDOWN_SAVED);
	return 0;
}

/* With the workers stopped: what changed since the snapshot of the
 * shutdown (writes in flight when it was taken) is saved again. */
static int final_save(void)
{
	char err[512];
	if (ck_pr_load_int(&srv.shutdown_save) != SHUTDOWN_SAVED ||
	    persist_changes() == 0)
		return 0;
	return persist_save(err, sizeof(err));
}

/* Let connections write what they owe, for at most ~2 s. */
static void drain_clients(void)
{
	conn_drain_all();
	for (int i = 0; i < 200 && ck_pr_load_int(&srv.connected_clients) > 0; i++)
		usleep(10000);
}

int main(int argc, char **argv)
{
	char err[1024] = "";
	/* No glibc fastbins: with millions of small chunks freed (a big
	 * collection or keyspace freed in steps), the next large allocation or
	 * a free that merges into a big block consolidates all of them in one
	 * call (malloc_consolidate): 30 ms to 1.4 s measured inside a single
	 * bounded free step of a 10 M-element table.  The per-thread tcache
	 * still serves small chunks; bounded steps stay bounded. */
	mallopt(M_MXFAST, 0);
	config_init(&srv.cfg);
	int rc = config_parse_args(&srv.cfg, argc, argv, err, sizeof(err));
	if (rc == CONFIG_ARGS_HELP) {
		config_usage(stdout);
		return 0;
	}
	if (rc == CONFIG_ARGS_VERSION) {
		printf("%s\n", CONFIG_VERSION_STRING);
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR ***\n%s\n", err);
		return 1;
	}
	if (argc > 1 && argv[1][0] != '-')
		snprintf(srv.config_file, sizeof(srv.config_file), "%s", argv[1]);
	if (!realpath("/proc/self/exe", srv.executable))
		snprintf(srv.executable, sizeof(srv.executable), "%s", argv[0]);
	if (log_open(&srv.cfg) < 0) {
		fprintf(stderr, "Can't open the log file: %s\n", strerror(errno));
		return 1;
	}
	if (srv.cfg.dir[0] && chdir(srv.cfg.dir) < 0) {
		log_warning("Can't chdir to '%s': %s", srv.cfg.dir, strerror(errno));
		log_close();
		return 1;
	}
	srv.start_ms = (uint64_t)server_mstime();
	srv.start_mono_ns = act_now_ns();
	srv.start_ticks = server_ticks();
	make_run_id();

	/* Workers inherit this mask: signals go to main's sigwait only. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	log_notice("oO0OoO0OoO0Oo FlashKV is starting oO0OoO0OoO0Oo");
	log_notice("FlashKV version=0.1.0, bits=64, pid=%d, just started",
		   (int)getpid());
	if (start(err, sizeof(err)) < 0) {
		log_warning("%s", err);
		stop_everything();
		log_close();
		return 1;
	}
	log_notice("Server initialized: %d workers, %d shards, port %d",
		   srv.nworkers, srv.nshards, srv.cfg.port);
	if (srv.loading && persist_load(err, sizeof(err)) < 0) {
		log_warning("%s", err);
		persist_abort_bgsave();
		stop_everything();
		log_close();
		return 1;
	}
	ck_pr_store_int(&srv.loading, 0);
	log_notice("Ready to accept connections tcp");

	for (;;) {
		siginfo_t info;
		while (sigwaitinfo(&set, &info) < 0)
			;
		if (info.si_pid == getpid()) { /* SHUTDOWN (srvcmd_shutdown.c) */
			log_warning("User requested shutdown...");
			break;
		}
		log_warning("Received %s scheduling shutdown...",
			    info.si_signo == SIGINT ? "SIGINT" : "SIGTERM");
		if (signal_save() == 0)
			break;
		log_warning("Error trying to save the DB, can't exit.");
	}
	act_stop(srv.acceptor); /* closes the listening sockets */
	drain_clients();
	/* A background save on its way ends first, without its file (its
	 * chunks in flight would be lost in the mailboxes otherwise). */
	persist_abort_bgsave();
	for (int i = 0; i < 30000 && persist_bgsave_running(); i++)
		usleep(1000);
	if (srv.sys)
		act_system_shutdown(srv.sys);
	int status = final_save() < 0 ? 1 : 0;
	stop_everything();
	log_warning("FlashKV is now ready to exit, bye bye...");
	log_close();
	return status;
}
