/*
 * system.c - create, start, shut down and destroy a system of workers.
 *
 * The worker count and the CPUs come from the process's affinity mask
 * (sched_getaffinity), so `taskset -c 0` or a cgroup cpuset gives one
 * worker, whatever the number of online CPUs.
 *
 * Shutdown rule: act_system_shutdown asks each worker to stop; a worker
 * finishes the actor turn it is in, then stops all its actors (timers and fd
 * watches cancelled, on_stop called, on the worker) and exits.  Messages not
 * yet delivered are never delivered: act_system_destroy frees them, with the
 * actors and the pools, once every worker has been joined.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <ck_pr.h>

#include "act_internal.h"

void act_config_default(act_config_t *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->pin = true;
	cfg->batch = 100;
	cfg->spin_ns = 20000;
	cfg->msg_cache = 4096;
}

/* The CPUs this process may run on, in ascending order. */
static int allowed_cpus(int **out)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	int n = CPU_COUNT(&set);
	int *cpus = calloc((size_t)(n > 0 ? n : 1), sizeof(*cpus));
	if (!cpus)
		return -ENOMEM;
	int k = 0;
	for (int c = 0; c < CPU_SETSIZE && k < n; c++)
		if (CPU_ISSET(c, &set))
			cpus[k++] = c;
	*out = cpus;
	return k;
}

int act_system_create(const act_config_t *cfg_in, act_system_t **out)
{
	act_config_t cfg;
	if (cfg_in)
		cfg = *cfg_in;
	else
		act_config_default(&cfg);
	if (cfg.workers < 0 || cfg.workers > 1024)
		return -EINVAL;
	if (cfg.batch == 0)
		cfg.batch = 100;
	if (cfg.msg_cache == 0)
		cfg.msg_cache = 4096;

	int *cpus = NULL;
	int ncpus = allowed_cpus(&cpus);
	if (ncpus < 0)
		return ncpus;
	if (ncpus == 0) {
		free(cpus);
		return -EINVAL;
	}
	int n = cfg.workers ? cfg.workers : ncpus;

	act_system_t *sys = calloc(1, sizeof(*sys));
	act_worker_t *workers = NULL;
	if (sys && posix_memalign((void **)&workers, 64,
				  (size_t)n * sizeof(*workers)) != 0)
		workers = NULL;
	if (!sys || !workers) {
		free(sys);
		free(cpus);
		return -ENOMEM;
	}
	sys->cfg = cfg;
	sys->cfg.workers = n;
	sys->nworkers = n;
	sys->workers = workers;
	for (int i = 0; i < n; i++) {
		int cpu = cfg.pin ? cpus[i % ncpus] : -1;
		int err = act__worker_init(sys, &workers[i], i, cpu);
		if (err < 0) {
			while (i-- > 0)
				act__worker_destroy(&workers[i]);
			free(workers);
			free(sys);
			free(cpus);
			return err;
		}
	}
	free(cpus);
	*out = sys;
	return 0;
}

int act_system_start(act_system_t *sys)
{
	if (sys->started)
		return -EALREADY;
	for (int i = 0; i < sys->nworkers; i++) {
		int err = pthread_create(&sys->workers[i].thread, NULL,
					 act__worker_main, &sys->workers[i]);
		if (err) {
			for (int j = 0; j < i; j++) {
				ck_pr_store_int(&sys->workers[j].stop, 1);
				act__worker_wake(&sys->workers[j]);
				pthread_join(sys->workers[j].thread, NULL);
			}
			return -err;
		}
	}
	sys->started = true;
	return 0;
}

int act_system_shutdown(act_system_t *sys)
{
	if (!sys->started || sys->down)
		return 0;
	for (int i = 0; i < sys->nworkers; i++) {
		act_worker_t *w = &sys->workers[i];
		ck_pr_store_int(&w->stop, 1);
		ck_pr_fence_memory(); /* as S2 in worker.c: stop, then sleeping */
		act__worker_wake(w);
	}
	for (int i = 0; i < sys->nworkers; i++)
		pthread_join(sys->workers[i].thread, NULL);
	sys->down = true;
	return 0;
}

void act_system_destroy(act_system_t *sys)
{
	if (!sys)
		return;
	if (sys->started && !sys->down)
		act_system_shutdown(sys);
	sys->down = true;
	/* No thread runs any more.  Stop actors that never ran (system never
	 * started), then free every message still queued, then the actors. */
	for (int i = 0; i < sys->nworkers; i++) {
		act_worker_t *w = &sys->workers[i];
		act__self_worker = w; /* on_stop and frees run "on" w */
		for (act__list_t *l = w->actors.next; l != &w->actors; l = l->next)
			act__stop_now(act__container(l, act_actor_t, link));
		act__msg_flush(w); /* frees on_stop made "on" w */
		act__self_worker = NULL;
	}
	for (int i = 0; i < sys->nworkers; i++) {
		act_worker_t *w = &sys->workers[i];
		for (act__list_t *l = w->actors.next; l != &w->actors; l = l->next)
			act__drain_undelivered(act__container(l, act_actor_t, link));
	}
	for (int i = 0; i < sys->nworkers; i++) {
		act_worker_t *w = &sys->workers[i];
		while (!act__list_empty(&w->actors))
			act__free(act__container(w->actors.next, act_actor_t, link));
	}
	for (int i = 0; i < sys->nworkers; i++) {
		act__pool_destroy(&sys->workers[i].pool);
		act__worker_destroy(&sys->workers[i]);
	}
	free(sys->workers);
	free(sys);
}

int act_system_workers(const act_system_t *sys)
{
	return sys->nworkers;
}

int act_system_worker_cpu(const act_system_t *sys, int i)
{
	if (i < 0 || i >= sys->nworkers)
		return -1;
	return sys->workers[i].cpu;
}

int act_system_worker_stats(const act_system_t *sys, int i,
			    act_worker_stats_t *out)
{
	if (i < 0 || i >= sys->nworkers)
		return -EINVAL;
	act_worker_stats_t *st = &sys->workers[i].stats;
	out->messages = ck_pr_load_64(&st->messages);
	out->turns = ck_pr_load_64(&st->turns);
	out->parks = ck_pr_load_64(&st->parks);
	out->wakeups = ck_pr_load_64(&st->wakeups);
	out->fd_events = ck_pr_load_64(&st->fd_events);
	out->timers = ck_pr_load_64(&st->timers);
	return 0;
}
