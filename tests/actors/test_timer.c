/*
 * test_timer.c - timers delivered as messages: one-shot and periodic, in
 * deadline order, on time within a generous tolerance (the machine is
 * small and noisy: a 10 ms timer must fire after 10 ms and before 500 ms),
 * missed periods counted, cancel (before firing, from inside the handler,
 * while the message is queued), and the threading rule.
 */
#include "helpers.h"

#define LATE_MS 500 /* tolerance for "on time" */

enum { CMD_ONESHOTS = 1, CMD_PERIODIC, CMD_CANCEL_EARLY, CMD_CANCEL_PERIODIC,
       CMD_SLOW_PERIODIC };

#define MAXFIRE 64

typedef struct timer_state {
	uint64_t t0;                 /* when the timers were started */
	int nfired;
	uint64_t tag[MAXFIRE];       /* in delivery order */
	uint64_t at[MAXFIRE];        /* ns since t0 */
	uint64_t expired[MAXFIRE];
	int bad;                     /* wrong message contents */
	int start_rc;
	act_timer_t *periodic;
	int cancel_after;            /* periodic: cancel inside tick N */
	uint64_t busy_ms;            /* periodic: spin this long in tick 1 */
	int done;
} timer_state_t;

static void record(timer_state_t *s, act_timer_msg_t *tm)
{
	int i = s->nfired;
	if (i < MAXFIRE) {
		s->tag[i] = tm->tag;
		s->at[i] = act_now_ns() - s->t0;
		s->expired[i] = tm->expired;
	}
	if (tm->expired < 1 || tm->timer == NULL)
		ADD(&s->bad, 1);
	STORE(&s->nfired, i + 1);
}

static void timer_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	timer_state_t *s = st;
	if (msg->type == ACT_MSG_TIMER) {
		act_timer_msg_t *tm = (act_timer_msg_t *)msg;
		record(s, tm);
		if (tm->timer == s->periodic && s->busy_ms && s->nfired == 1) {
			uint64_t until = act_now_ns() + s->busy_ms * MS;
			while (act_now_ns() < until)
				; /* miss some periods */
		}
		if (tm->timer == s->periodic && s->cancel_after &&
		    s->nfired == s->cancel_after) {
			act_timer_cancel(self, tm->timer); /* from its own handler */
			s->periodic = NULL;
		}
		return;
	}
	if (msg->type != T_CMD)
		return;
	seq_msg_t *c = (seq_msg_t *)msg;
	int rc = 0;
	if (c->cmd != CMD_CANCEL_PERIODIC)
		s->t0 = act_now_ns();
	switch (c->cmd) {
	case CMD_ONESHOTS: {
		/* Started out of order; tags are the delays in ms. */
		static const uint64_t delays[] = { 50, 10, 40, 20, 30, 10 };
		for (unsigned i = 0; i < 6 && rc == 0; i++)
			rc = act_timer_start(self, delays[i] * MS, 0,
					     delays[i] * 100 + i, NULL);
		break;
	}
	case CMD_PERIODIC:
	case CMD_SLOW_PERIODIC:
		rc = act_timer_start(self, 10 * MS, 10 * MS, 7, &s->periodic);
		break;
	case CMD_CANCEL_EARLY: {
		act_timer_t *t;
		rc = act_timer_start(self, 30 * MS, 0, 1, &t);
		if (rc == 0)
			act_timer_cancel(self, t); /* never fires */
		act_timer_t *p;
		if (rc == 0)
			rc = act_timer_start(self, 5 * MS, 5 * MS, 2, &p);
		if (rc == 0)
			act_timer_cancel(self, p);
		/* The sentinel: fires after the cancelled ones would have. */
		if (rc == 0)
			rc = act_timer_start(self, 80 * MS, 0, 3, NULL);
		break;
	}
	case CMD_CANCEL_PERIODIC:
		/* From another message, not the timer's own handler. */
		act_timer_cancel(self, s->periodic);
		s->periodic = NULL;
		STORE(&s->done, 1);
		return;
	}
	STORE(&s->start_rc, rc);
	STORE(&s->done, 1);
}

static const act_behaviour_t timer_beh = { .name = "timers",
					   .receive = timer_receive };

static act_system_t *sys_for_timers(uint64_t spin_ns)
{
	return make_system(1, spin_ns, 0, true);
}

static void one_shots_in_order(uint64_t spin_ns)
{
	act_system_t *sys = sys_for_timers(spin_ns);
	timer_state_t s = { 0 };
	act_actor_t *a = act_spawn(sys, &timer_beh, &s, 0);
	send_cmd(a, CMD_ONESHOTS, NULL);
	WAIT_UNTIL(LOAD(&s.nfired) == 6, 5000);
	usleep(20000);
	cr_assert_eq(LOAD(&s.nfired), 6, "each one-shot fires once");
	cr_assert_eq(s.start_rc, 0);
	cr_assert_eq(s.bad, 0);
	for (int i = 0; i < 6; i++) {
		uint64_t delay_ms = s.tag[i] / 100;
		cr_assert_eq(s.expired[i], 1);
		cr_assert_geq(s.at[i], delay_ms * MS, "timer %d early: %lu ns", i,
			      (unsigned long)s.at[i]);
		cr_assert_lt(s.at[i], (delay_ms + LATE_MS) * MS, "timer %d late", i);
		if (i > 0)
			cr_assert_geq(delay_ms, s.tag[i - 1] / 100,
				      "out of deadline order at %d", i);
	}
	/* Equal deadlines (two 10 ms timers) both arrive. */
	cr_assert_eq(s.tag[0] / 100, 10);
	cr_assert_eq(s.tag[1] / 100, 10);
	act_actor_unref(a);
	end_system(sys);
}

Test(timer, one_shots_fire_in_deadline_order_and_on_time)
{
	one_shots_in_order(20000);
}

Test(timer, one_shots_wake_a_parked_worker)
{
	one_shots_in_order(0); /* no spinning: the worker sleeps until due */
}

Test(timer, periodic_ticks_then_cancel_inside_handler)
{
	act_system_t *sys = sys_for_timers(0);
	timer_state_t s = { .cancel_after = 10 };
	act_actor_t *a = act_spawn(sys, &timer_beh, &s, 0);
	send_cmd(a, CMD_PERIODIC, NULL);
	WAIT_UNTIL(LOAD(&s.nfired) >= 10, 5000);
	usleep(100000); /* 10 more periods: none may come */
	cr_assert_eq(LOAD(&s.nfired), 10, "ticks after cancel");
	cr_assert_eq(s.bad, 0);
	uint64_t periods = 0;
	for (int i = 0; i < 10; i++) {
		cr_assert_eq(s.tag[i], 7);
		periods += s.expired[i];
		/* tick i covers periods up to `periods`: not early */
		cr_assert_geq(s.at[i], periods * 10 * MS, "tick %d early", i);
		if (i > 0)
			cr_assert_geq(s.at[i], s.at[i - 1]);
	}
	cr_assert_lt(s.at[9], (periods * 10 + LATE_MS) * MS, "ticks late");
	act_actor_unref(a);
	end_system(sys);
}

Test(timer, periodic_cancel_from_another_message)
{
	act_system_t *sys = sys_for_timers(20000);
	timer_state_t s = { 0 };
	act_actor_t *a = act_spawn(sys, &timer_beh, &s, 0);
	send_cmd(a, CMD_PERIODIC, NULL);
	WAIT_UNTIL(LOAD(&s.nfired) >= 3, 5000);
	STORE(&s.done, 0);
	send_cmd(a, CMD_CANCEL_PERIODIC, NULL);
	WAIT_UNTIL(LOAD(&s.done), 5000);
	int n = LOAD(&s.nfired);
	usleep(60000);
	cr_assert_eq(LOAD(&s.nfired), n, "ticks after cancel");
	act_actor_unref(a);
	end_system(sys);
}

Test(timer, missed_periods_are_counted)
{
	act_system_t *sys = sys_for_timers(20000);
	timer_state_t s = { .busy_ms = 100, .cancel_after = 3 };
	act_actor_t *a = act_spawn(sys, &timer_beh, &s, 0);
	send_cmd(a, CMD_SLOW_PERIODIC, NULL);
	WAIT_UNTIL(LOAD(&s.nfired) >= 3, 5000);
	/* Tick 1 kept the worker busy for 100 ms (10 periods): the next
	 * message is one message, not ten, and says how many elapsed.  (Tick
	 * 1 itself may come a period late on a loaded machine.) */
	cr_assert_geq(s.expired[0], 1);
	cr_assert_geq(s.expired[1], 5, "expired %lu after a 100 ms stall",
		      (unsigned long)s.expired[1]);
	act_actor_unref(a);
	end_system(sys);
}

Test(timer, cancelled_timers_never_fire)
{
	act_system_t *sys = sys_for_timers(0);
	timer_state_t s = { 0 };
	act_actor_t *a = act_spawn(sys, &timer_beh, &s, 0);
	send_cmd(a, CMD_CANCEL_EARLY, NULL);
	WAIT_UNTIL(LOAD(&s.nfired) >= 1, 5000);
	usleep(50000);
	cr_assert_eq(LOAD(&s.start_rc), 0);
	cr_assert_eq(LOAD(&s.nfired), 1, "only the sentinel fires");
	cr_assert_eq(s.tag[0], 3);
	cr_assert_geq(s.at[0], 80 * MS);
	act_actor_unref(a);
	end_system(sys);
}

/* ---- cancel while the timer's message is queued ---------------------- */

typedef struct busy_state {
	act_timer_t *t;
	uint64_t ticks;
	int ticks_after_cancel;
	int cancelled;
	int done;
} busy_state_t;

static void busy_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	busy_state_t *s = st;
	if (msg->type == ACT_MSG_TIMER) {
		if (s->cancelled)
			ADD(&s->ticks_after_cancel, 1);
		ADD(&s->ticks, 1);
		return;
	}
	seq_msg_t *c = (seq_msg_t *)msg;
	if (c->cmd == 1)
		act_timer_start(self, 1 * MS, 1 * MS, 1, &s->t);
	/* Stay busy with kicks to ourselves (0.2 ms each, one per turn with
	 * batch 1): the worker fires timers between turns, so a tick lands
	 * in the mailbox behind the next kick. */
	uint64_t until = act_now_ns() + MS / 5;
	while (act_now_ns() < until)
		;
	act_worker_stats_t ws;
	act_system_worker_stats(act_actor_system(self), 0, &ws);
	if (s->ticks >= 1 && ws.timers > s->ticks) {
		/* Fired more often than delivered: a tick message is
		 * queued right now.  Cancelling must make it vanish. */
		act_timer_cancel(self, s->t);
		s->cancelled = 1;
		STORE(&s->done, 1);
		return;
	}
	send_cmd(self, 2, NULL);
}

static const act_behaviour_t busy_beh = { .name = "busy",
					  .receive = busy_receive };

Test(timer, cancel_while_its_message_is_queued)
{
	for (int round = 0; round < 5; round++) {
		act_system_t *sys = make_system(1, 20000, 1, true);
		busy_state_t s = { 0 };
		act_actor_t *a = act_spawn(sys, &busy_beh, &s, 0);
		send_cmd(a, 1, NULL);
		WAIT_UNTIL(LOAD(&s.done), 5000);
		usleep(20000);
		cr_assert_eq(LOAD(&s.ticks_after_cancel), 0);
		act_actor_unref(a);
		end_system(sys);
	}
}

Test(timer, timers_only_from_inside_the_actor)
{
	act_system_t *sys = sys_for_timers(0);
	timer_state_t s = { 0 };
	act_actor_t *a = act_spawn(sys, &timer_beh, &s, 0);
	act_timer_t *t = NULL;
	cr_assert_eq(act_timer_start(a, MS, 0, 0, &t), -EPERM);
	cr_assert_null(t);
	act_actor_unref(a);
	end_system(sys);
}

/* ---- timers alive at stop and at shutdown ----------------------------- */

typedef struct many_state {
	int stops;
} many_state_t;

static void many_start(act_actor_t *self, void *st)
{
	/* Pending timers of every kind when the actor stops: one-shots in
	 * the heap, a periodic one, a fire-and-forget one. */
	for (int i = 1; i <= 20; i++)
		act_timer_start(self, (uint64_t)i * MS, 0, (uint64_t)i, NULL);
	act_timer_start(self, MS, MS, 99, NULL);
	act_timer_start(self, 3600000 * MS, 0, 100, NULL);
	(void)st;
}

static void many_receive(act_actor_t *self, void *st, act_msg_t *msg)
{
	(void)self;
	(void)st;
	(void)msg;
}

static void many_stop(act_actor_t *self, void *st)
{
	many_state_t *s = st;
	ADD(&s->stops, 1);
	(void)self;
}

static const act_behaviour_t many_beh = { .name = "many",
					  .on_start = many_start,
					  .receive = many_receive,
					  .on_stop = many_stop };

Test(timer, stop_and_shutdown_free_pending_timers)
{
	act_system_t *sys = sys_for_timers(0);
	many_state_t s[4] = { 0 };
	act_actor_t *a[4];
	for (int i = 0; i < 4; i++)
		a[i] = act_spawn(sys, &many_beh, &s[i], 0);
	usleep(8000); /* some fired, some queued, some pending */
	act_stop(a[0]);
	act_stop(a[1]);
	WAIT_UNTIL(LOAD(&s[0].stops) == 1 && LOAD(&s[1].stops) == 1, 5000);
	for (int i = 0; i < 4; i++)
		act_actor_unref(a[i]);
	end_system(sys); /* a[2], a[3] stop here with timers pending */
	for (int i = 0; i < 4; i++)
		cr_assert_eq(s[i].stops, 1);
}
