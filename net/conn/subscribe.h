/*
 * subscribe.h - a connection's Pub/Sub side: the (P|S)(UN)SUBSCRIBE,
 * (S)PUBLISH and PUBSUB commands (rows in net/server/srvcmd.c's table),
 * the messages it receives (pushed into its output in the order they
 * come, after the replies already due), subscribed mode and the pubsub
 * output limit.  The channel owners and the fan-out are net/pubsub/'s.
 * Connection worker only.
 */
#ifndef FLASHKV_NET_SUBSCRIBE_H
#define FLASHKV_NET_SUBSCRIBE_H

#include "conn.h"
#include "net/pubsub/pubsub.h"

void subscribe_cmd_subscribe(conn_t *c, int argc, const cmd_arg_t *argv);
void subscribe_cmd_unsubscribe(conn_t *c, int argc, const cmd_arg_t *argv);
void subscribe_cmd_psubscribe(conn_t *c, int argc, const cmd_arg_t *argv);
void subscribe_cmd_punsubscribe(conn_t *c, int argc, const cmd_arg_t *argv);
void subscribe_cmd_ssubscribe(conn_t *c, int argc, const cmd_arg_t *argv);
void subscribe_cmd_sunsubscribe(conn_t *c, int argc, const cmd_arg_t *argv);
void subscribe_cmd_publish(conn_t *c, int argc, const cmd_arg_t *argv);
void subscribe_cmd_spublish(conn_t *c, int argc, const cmd_arg_t *argv);
void subscribe_cmd_pubsub(conn_t *c, int argc, const cmd_arg_t *argv);

/* RESP2 subscribed mode (route.c asks only when c->ps is set): false if
 * @cmd may run; else the error is written and true returned. */
bool subscribe_refuses(conn_t *c, const cmd_t *cmd, const cmd_t *row);
/* RESET and QUIT: leave every channel and pattern, silently; the replies
 * that follow wait until the owners know (a request of no bytes). */
void subscribe_leave(conn_t *c);
/* Closing: the same, without waiting. */
void subscribe_reset(conn_t *c);
/* The connection leaves without telling the owners (shutdown). */
void subscribe_free(conn_t *c);
/* The empty reply batch that wakes us for queued messages came. */
void subscribe_flushed(conn_t *c);
/* Channels, patterns or shard channels (@kind) it subscribes to. */
size_t subscribe_count(const conn_t *c, int kind);
/* The deliver hook the registry calls (pubsub.h's ps_deliver_fn). */
void subscribe_deliver(void *conn, int kind, const char *pat, size_t plen,
		       const char *ch, size_t clen, const char *msg,
		       size_t mlen);

#endif
