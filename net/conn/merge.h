/*
 * merge.h - the parts of a fanned-out command, gathered into the one
 * reply Redis would send (enum merge_kind, conn.h).  Connection worker
 * only.
 */
#ifndef FLASHKV_NET_MERGE_H
#define FLASHKV_NET_MERGE_H

#include "conn.h"

void merge_part(conn_t *c, req_t *req, const rep_entry_t *e, const char *bytes);
void merge_free(req_t *req);

#endif
