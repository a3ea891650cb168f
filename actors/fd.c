/*
 * fd.c - file-descriptor readiness delivered as messages.
 *
 * An actor registers a socket with its own worker's epoll set (edge-
 * triggered).  Like a timer, a watch carries its own message: readiness that
 * arrives while that message is still queued is OR-ed into it, so a busy
 * socket costs at most one queued message and no allocation.  Watches are
 * created, changed and removed only from inside the owning actor.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "act_internal.h"

static uint32_t to_epoll(uint32_t events)
{
	uint32_t e = EPOLLET | EPOLLRDHUP;
	if (events & ACT_FD_READ)
		e |= EPOLLIN;
	if (events & ACT_FD_WRITE)
		e |= EPOLLOUT;
	return e;
}

static uint32_t from_epoll(uint32_t e)
{
	uint32_t events = 0;
	if (e & EPOLLIN)
		events |= ACT_FD_READ;
	if (e & EPOLLOUT)
		events |= ACT_FD_WRITE;
	if (e & (EPOLLHUP | EPOLLERR | EPOLLRDHUP))
		events |= ACT_FD_HUP | ACT_FD_READ;
	return events;
}

int act_fd_watch(act_actor_t *self, int fd, uint32_t events, uint64_t tag,
		 act_fd_t **out)
{
	act_worker_t *w = self->worker;
	if (act__self_worker != w)
		return -EPERM;
	act_fd_t *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->owner = self;
	f->fd = fd;
	act__msg_init_embedded(&f->msg.hdr, ACT_MSG_FD);
	f->msg.watch = f;
	f->msg.tag = tag;
	struct epoll_event ev = { .events = to_epoll(events), .data.ptr = f };
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;
		free(f);
		return err;
	}
	act__list_add(&self->fds, &f->link);
	w->nwatches++;
	if (out)
		*out = f;
	return 0;
}

int act_fd_modify(act_actor_t *self, act_fd_t *f, uint32_t events)
{
	if (!f || f->dead || f->owner != self)
		return -EINVAL;
	struct epoll_event ev = { .events = to_epoll(events), .data.ptr = f };
	if (epoll_ctl(self->worker->epfd, EPOLL_CTL_MOD, f->fd, &ev) < 0)
		return -errno;
	return 0;
}

static void retire(act_fd_t *f)
{
	act_worker_t *w = f->owner->worker;
	/* Fails harmlessly if the fd was already closed. */
	(void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, f->fd, NULL);
	act__list_del(&f->link);
	w->nwatches--;
	if (f->queued)
		f->dead = true;
	else
		free(f);
}

void act_fd_unwatch(act_actor_t *self, act_fd_t *f)
{
	if (f && !f->dead && f->owner == self)
		retire(f);
}

void act__fds_unwatch_all(act_actor_t *a)
{
	while (!act__list_empty(&a->fds))
		retire(act__container(a->fds.next, act_fd_t, link));
}

void act__fd_drop(act_fd_t *f)
{
	f->queued = false;
	if (f->dead)
		free(f);
}

void act__fd_event(act_worker_t *w, act_fd_t *f, uint32_t epoll_events)
{
	(void)w;
	if (f->dead)
		return;
	uint32_t events = from_epoll(epoll_events);
	if (f->queued) {
		f->msg.events |= events;
		return;
	}
	f->msg.events = events;
	f->queued = true;
	act__push(f->owner, &f->msg.hdr);
}

void act__fd_dispatch(act_actor_t *a, act_fd_msg_t *m)
{
	act_fd_t *f = m->watch;
	if (f->dead) {
		free(f);
		return;
	}
	/* Still "queued" while the handler runs (as in timer.c), so an unwatch
	 * from inside it marks the watch dead instead of freeing it under us.
	 * No readiness can arrive meanwhile: epoll is polled by this thread. */
	a->beh->receive(a, a->state, &m->hdr);
	f->queued = false;
	if (f->dead)
		free(f);
}
