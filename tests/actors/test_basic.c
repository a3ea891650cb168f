/*
 * test_basic.c - spawn, send, receive; message memory (sizes, pools,
 * foreign threads); act_msg_claim; reference counting; configuration.
 */
#include <pthread.h>

#include "helpers.h"

/* ---- a receiver that checks order and where it runs ----------------- */

typedef struct recv_state {
	int started;          /* on_start ran */
	int start_after_msg;  /* on_start ran after a message: wrong */
	uint64_t received;
	uint64_t next_seq[8];
	int out_of_order;
	int wrong_worker;
	int wrong_type;
	int stops;            /* on_stop calls */
	int self_worker;      /* act_current_worker() inside receive */
} recv_state_t;

static void recv_start(act_actor_t *self, void *st)
{
	recv_state_t *s = st;
	if (LOAD(&s->received))
		STORE(&s->start_after_msg, 1);
	STORE(&s->started, 1);
	(void)self;
}

static void recv_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	recv_state_t *s = st;
	if (!LOAD(&s->started))
		STORE(&s->start_after_msg, 1);
	if (act_current_worker() != act_actor_worker(self))
		ADD(&s->wrong_worker, 1);
	STORE(&s->self_worker, act_current_worker());
	if (msg->type != T_SEQ) {
		ADD(&s->wrong_type, 1);
		return;
	}
	seq_msg_t *m = (seq_msg_t *)msg;
	if (m->sender >= 8 || m->seq != s->next_seq[m->sender])
		ADD(&s->out_of_order, 1);
	else
		s->next_seq[m->sender]++;
	ADD(&s->received, 1);
}

static void recv_stop(act_actor_t *self, void *st)
{
	recv_state_t *s = st;
	ADD(&s->stops, 1);
	(void)self;
}

static const act_behaviour_t recv_beh = {
	.name = "recv",
	.on_start = recv_start,
	.receive = recv_receive,
	.on_stop = recv_stop,
};

Test(basic, spawn_send_receive)
{
	act_system_t *sys = make_system(2, 20000, 0, true);
	recv_state_t st = { 0 };
	act_actor_t *a = act_spawn(sys, &recv_beh, &st, 1);
	cr_assert_not_null(a);
	cr_assert_eq(act_actor_worker(a), 1);
	cr_assert_eq(act_actor_system(a), sys);
	cr_assert_eq(act_current_worker(), -1, "the test thread is no worker");

	enum { N = 10000 };
	for (uint64_t i = 0; i < N; i++)
		cr_assert_eq(send_seq(a, T_SEQ, 0, i), 0);
	WAIT_UNTIL(LOAD(&st.received) == N, 10000);
	cr_assert(LOAD(&st.started));
	cr_assert_eq(st.start_after_msg, 0, "on_start runs before any message");
	cr_assert_eq(st.out_of_order, 0);
	cr_assert_eq(st.wrong_worker, 0);
	cr_assert_eq(st.self_worker, 1);
	cr_assert_eq(st.wrong_type, 0);
	cr_assert_eq(LOAD(&st.stops), 0);

	act_actor_unref(a); /* the actor keeps running without handles */
	end_system(sys);
	cr_assert_eq(st.stops, 1, "shutdown calls on_stop once");
}

Test(basic, round_robin_spawn)
{
	act_system_t *sys = make_system(2, 0, 0, false);
	recv_state_t st[4] = { 0 };
	act_actor_t *a[4];
	int on[2] = { 0, 0 };
	for (int i = 0; i < 4; i++) {
		a[i] = act_spawn(sys, &recv_beh, &st[i], -1);
		cr_assert_not_null(a[i]);
		on[act_actor_worker(a[i])]++;
	}
	cr_assert_eq(on[0], 2);
	cr_assert_eq(on[1], 2);
	cr_assert_null(act_spawn(sys, &recv_beh, &st[0], 2), "no worker 2");
	act_behaviour_t no_receive = { .name = "bad" };
	cr_assert_null(act_spawn(sys, &no_receive, NULL, 0));
	cr_assert_null(act_spawn(NULL, &recv_beh, NULL, 0));
	for (int i = 0; i < 4; i++)
		act_actor_unref(a[i]);
	/* Never started: destroy still stops (on_stop) and frees them. */
	act_system_destroy(sys);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(st[i].stops, 1);
}

Test(basic, config_errors)
{
	act_config_t cfg;
	act_system_t *sys = NULL;
	act_config_default(&cfg);
	cr_assert_eq(cfg.workers, 0);
	cr_assert(cfg.pin);
	cr_assert_eq(cfg.batch, 100);
	cfg.workers = -1;
	cr_assert_eq(act_system_create(&cfg, &sys), -EINVAL);
	cfg.workers = 100000;
	cr_assert_eq(act_system_create(&cfg, &sys), -EINVAL);
	cr_assert_null(sys);

	cr_assert_eq(act_system_create(NULL, &sys), 0, "NULL: defaults");
	cr_assert_geq(act_system_workers(sys), 1);
	cr_assert_eq(act_system_start(sys), 0);
	cr_assert_eq(act_system_start(sys), -EALREADY);
	cr_assert_eq(act_system_worker_cpu(sys, -1), -1);
	cr_assert_eq(act_system_worker_cpu(sys, act_system_workers(sys)), -1);
	cr_assert_eq(act_system_shutdown(sys), 0);
	cr_assert_eq(act_system_shutdown(sys), 0, "idempotent");
	act_system_destroy(sys);
	act_system_destroy(NULL);
}

/* ---- many senders, several threads: per-sender FIFO ----------------- */

typedef struct flood_state {
	act_actor_t *to;
	uint32_t id;
	uint64_t sent, total;
} flood_state_t;

/* Sends its `total` messages in bursts of 256, re-kicking itself in
 * between so its worker interleaves it with everything else. */
static void flood_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	flood_state_t *s = st;
	for (int i = 0; i < 256 && s->sent < s->total; i++)
		send_seq(s->to, T_SEQ, s->id, s->sent++);
	if (s->sent < s->total)
		send_seq(self, T_KICK, 0, 0);
	(void)msg;
}

static const act_behaviour_t flood_beh = { .name = "flood",
					   .receive = flood_receive };

typedef struct foreign_arg {
	act_actor_t *to;
	uint32_t id;
	uint64_t total;
} foreign_arg_t;

static void *foreign_sender(void *p)
{
	foreign_arg_t *a = p;
	for (uint64_t i = 0; i < a->total; i++)
		if (send_seq(a->to, T_SEQ, a->id, i) != 0)
			return (void *)1;
	return NULL;
}

Test(basic, per_sender_fifo_across_workers, .timeout = 60)
{
	act_system_t *sys = make_system(2, 20000, 0, true);
	recv_state_t rs = { 0 };
	act_actor_t *r = act_spawn(sys, &recv_beh, &rs, 1);
	uint64_t per = 100000ull * stress_scale();

	/* Sender 0 on the receiver's worker, 1 on the other worker,
	 * 2 and 3 foreign threads (malloc'ed messages). */
	flood_state_t fs[2] = { { r, 0, 0, per }, { r, 1, 0, per } };
	act_actor_t *f0 = act_spawn(sys, &flood_beh, &fs[0], 1);
	act_actor_t *f1 = act_spawn(sys, &flood_beh, &fs[1], 0);
	foreign_arg_t fa[2] = { { r, 2, per }, { r, 3, per } };
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, foreign_sender, &fa[i]), 0);
	send_seq(f0, T_KICK, 0, 0);
	send_seq(f1, T_KICK, 0, 0);
	for (int i = 0; i < 2; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		cr_assert_null(ret, "a send failed");
	}
	WAIT_UNTIL(LOAD(&rs.received) == 4 * per, 30000);
	cr_assert_eq(rs.out_of_order, 0, "per-sender order broken");
	for (int i = 0; i < 4; i++)
		cr_assert_eq(rs.next_seq[i], per, "sender %d: %lu of %lu", i,
			     (unsigned long)rs.next_seq[i], (unsigned long)per);
	act_actor_unref(f0);
	act_actor_unref(f1);
	act_actor_unref(r);
	end_system(sys);
}

/* ---- message sizes and pools ---------------------------------------- */

static const size_t sizes[] = { 1, sizeof(act_msg_t), 64, 65, 100, 1000,
				4096, 16384, 16385, 100000 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

typedef struct sized_state {
	act_actor_t *to;   /* producer: the checker */
	uint64_t rounds;   /* producer: how many rounds of all sizes */
	uint64_t done;     /* producer: rounds sent */
	uint64_t checked;  /* checker: messages verified */
	int corrupt;       /* checker: bad contents */
} sized_state_t;

static unsigned char pattern(size_t i, uint64_t salt)
{
	return (unsigned char)((i * 131u) ^ salt);
}

static act_msg_t *make_sized(size_t size, uint64_t salt)
{
	act_msg_t *m = act_msg_new(size, T_DATA);
	if (!m)
		abort();
	unsigned char *body = (unsigned char *)m;
	for (size_t i = sizeof(act_msg_t); i < size; i++)
		body[i] = pattern(i, salt);
	return m;
}

static void sized_produce(act_actor_t *self, void *st, act_msg_t *msg)
{
	sized_state_t *s = st;
	/* 20 rounds per turn, then a kick to itself: the checker keeps up
	 * and the big (malloc'ed) sizes do not pile up. */
	for (int i = 0; i < 20 && s->done < s->rounds; i++, s->done++)
		for (size_t k = 0; k < NSIZES; k++) {
			act_msg_t *m = make_sized(sizes[k], s->done + k);
			/* the size index travels in the type */
			m->type = T_DATA + (uint32_t)(k << 8);
			if (act_send(s->to, m) != 0)
				abort();
		}
	if (s->done < s->rounds)
		send_seq(self, T_KICK, 0, 0);
	(void)msg;
}

static void sized_check(act_actor_t *self, void *st, act_msg_t *msg)
{
	sized_state_t *s = st;
	size_t k = msg->type >> 8;
	uint64_t r = s->checked / NSIZES;
	if (k >= NSIZES || (msg->type & 0xff) != T_DATA) {
		ADD(&s->corrupt, 1);
	} else {
		unsigned char *body = (unsigned char *)msg;
		for (size_t i = sizeof(act_msg_t); i < sizes[k]; i++)
			if (body[i] != pattern(i, r + k)) {
				ADD(&s->corrupt, 1);
				break;
			}
	}
	ADD(&s->checked, 1);
	(void)self;
}

static const act_behaviour_t produce_beh = { .name = "produce",
					     .receive = sized_produce };
static const act_behaviour_t check_beh = { .name = "check",
					   .receive = sized_check };

Test(basic, message_sizes_cross_worker_pools, .timeout = 60)
{
	/* A small cache so that frees overflow it too (free() path), and
	 * enough rounds to recycle every pool class many times through the
	 * remote-free stack. */
	act_config_t cfg;
	act_config_default(&cfg);
	cfg.workers = 2;
	cfg.msg_cache = 64;
	act_system_t *sys;
	cr_assert_eq(act_system_create(&cfg, &sys), 0);
	cr_assert_eq(act_system_start(sys), 0);
	sized_state_t cs = { 0 }, ps = { 0 };
	act_actor_t *c = act_spawn(sys, &check_beh, &cs, 1);
	ps.to = c;
	ps.rounds = 2000;
	act_actor_t *p = act_spawn(sys, &produce_beh, &ps, 0);
	send_seq(p, T_KICK, 0, 0);
	WAIT_UNTIL(LOAD(&cs.checked) == ps.rounds * NSIZES, 30000);
	cr_assert_eq(cs.corrupt, 0);

	/* The same from a foreign thread (no pool: malloc). */
	uint64_t before = LOAD(&cs.checked);
	for (uint64_t r = 0; r < 10; r++)
		for (size_t k = 0; k < NSIZES; k++) {
			act_msg_t *m = make_sized(sizes[k], (before / NSIZES) + r + k);
			m->type = T_DATA + (uint32_t)(k << 8);
			cr_assert_eq(act_send(c, m), 0);
		}
	WAIT_UNTIL(LOAD(&cs.checked) == before + 10 * NSIZES, 10000);
	cr_assert_eq(cs.corrupt, 0);

	/* A message allocated here and never sent is the caller's to free. */
	act_msg_free(act_msg_new(100, T_DATA));
	act_msg_free(NULL);
	act_actor_unref(p);
	act_actor_unref(c);
	end_system(sys);
}

/* ---- act_msg_claim --------------------------------------------------- */

enum { CMD_FORWARD = 1, CMD_GIVE_BACK };

typedef struct claim_state {
	act_msg_t *kept;        /* claimed message */
	act_actor_t *next;      /* where CMD_FORWARD sends it */
	act_msg_t *handed_out;  /* CMD_GIVE_BACK: for the test thread */
	uint64_t got_seq;       /* the final receiver's view */
	int got;
} claim_state_t;

static void claim_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	claim_state_t *s = st;
	if (msg->type == T_SEQ) {
		act_msg_claim(msg); /* ours now: the runtime will not free it */
		s->kept = msg;
		return;
	}
	seq_msg_t *c = (seq_msg_t *)msg;
	if (c->cmd == CMD_FORWARD && s->kept) {
		act_send(s->next, s->kept); /* ownership moves on */
		s->kept = NULL;
	} else if (c->cmd == CMD_GIVE_BACK && s->kept) {
		STORE(&s->handed_out, s->kept);
		s->kept = NULL;
	}
	(void)self;
}

static void final_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	claim_state_t *s = st;
	if (msg->type == T_SEQ) {
		s->got_seq = ((seq_msg_t *)msg)->seq;
		STORE(&s->got, 1);
	}
	(void)self;
}

static const act_behaviour_t claim_beh = { .name = "claim",
					   .receive = claim_receive };
static const act_behaviour_t final_beh = { .name = "final",
					   .receive = final_receive };

Test(basic, claim_keeps_the_message)
{
	act_system_t *sys = make_system(2, 20000, 0, true);
	claim_state_t cs = { 0 }, fs = { 0 };
	act_actor_t *fin = act_spawn(sys, &final_beh, &fs, 0);
	cs.next = fin;
	act_actor_t *a = act_spawn(sys, &claim_beh, &cs, 1);

	/* Claim, then forward the very same message to another actor. */
	send_seq(a, T_SEQ, 0, 777);
	send_cmd(a, CMD_FORWARD, NULL);
	WAIT_UNTIL(LOAD(&fs.got), 5000);
	cr_assert_eq(fs.got_seq, 777, "the claimed message survived intact");

	/* Claim, hand it to this thread, free it here (any thread). */
	send_seq(a, T_SEQ, 0, 778);
	send_cmd(a, CMD_GIVE_BACK, NULL);
	WAIT_UNTIL(LOAD(&cs.handed_out) != NULL, 5000);
	seq_msg_t *m = (seq_msg_t *)cs.handed_out;
	cr_assert_eq(m->seq, 778);
	act_msg_free(&m->hdr);

	act_actor_unref(a);
	act_actor_unref(fin);
	end_system(sys);
}

/* ---- references ------------------------------------------------------ */

Test(basic, last_unref_of_a_stopped_actor_frees_it)
{
	act_system_t *sys = make_system(1, 0, 0, true);
	recv_state_t st = { 0 };
	act_actor_t *a = act_spawn(sys, &recv_beh, &st, 0);
	act_actor_t *b = act_actor_ref(a);
	cr_assert_eq(a, b);
	send_seq(a, T_SEQ, 0, 0);
	WAIT_UNTIL(LOAD(&st.received) == 1, 5000);
	act_stop(a);
	act_stop(b); /* idempotent */
	WAIT_UNTIL(LOAD(&st.stops) == 1, 5000);
	act_actor_unref(a);
	act_actor_unref(b); /* last: the worker frees the actor */
	act_actor_unref(NULL);
	usleep(20000);
	end_system(sys); /* a leak checker sees whether it was freed */
	cr_assert_eq(st.stops, 1);
	cr_assert_eq(st.received, 1);
}
