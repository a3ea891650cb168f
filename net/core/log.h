/*
 * log.h - Redis-style log lines: "pid:M 27 Nov 2026 07:01:10.123 * text".
 *
 * The level marks are Redis's: '.' debug, '-' verbose, '*' notice,
 * '#' warning.  Thread-safe: each line is formatted whole and written with
 * one write(2) to the log file (stdout when none is configured).
 */
#ifndef FLASHKV_LOG_H
#define FLASHKV_LOG_H

#include "net/config/config.h"

int log_open(const config_t *cfg);
void log_close(void);
void log_set_level(config_loglevel_t level);
void log_line(config_loglevel_t level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_debug(...) log_line(CONFIG_LOG_DEBUG, __VA_ARGS__)
#define log_verbose(...) log_line(CONFIG_LOG_VERBOSE, __VA_ARGS__)
#define log_notice(...) log_line(CONFIG_LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_line(CONFIG_LOG_WARNING, __VA_ARGS__)

#endif
