/*
 * resp_split.h - the words of one text line, split as Redis splits inline
 * commands and redis.conf lines (sdssplitargs): used by the inline request
 * parser and by the config file loader.
 *
 * Threads: a pure function of its arguments.
 */
#ifndef FLASHKV_RESP_SPLIT_H
#define FLASHKV_RESP_SPLIT_H

#include "resp.h"

/* Splits the next argument of a line with Redis's sdssplitargs rules
 * (blanks separate; "..." with \n \r \t \b \a \\ \" \xHH escapes; '...'
 * with \'; a closing quote must be followed by a blank or the end; a NUL
 * byte ends the line).  *@pos advances through [*@pos, @end); the argument
 * is decoded in place, at or after where it started, and returned in @arg.
 * Returns 1 for an argument, 0 at the end of the line, RESP_ERR_QUOTES. */
int resp_split_next(char **pos, char *end, resp_arg_t *arg);

#endif
