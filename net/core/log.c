/*
 * log.c - Redis-style log lines, written whole with one write(2).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <ck_pr.h>

#include "log.h"

static int log_fd = STDOUT_FILENO;
static int log_level = CONFIG_LOG_NOTICE; /* CONFIG SET: any thread */

int log_open(const config_t *cfg)
{
	ck_pr_store_int(&log_level, (int)cfg->loglevel);
	if (cfg->logfile[0] == '\0')
		return 0;
	int fd = open(cfg->logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		      0644);
	if (fd < 0)
		return -errno;
	log_fd = fd;
	return 0;
}

void log_close(void)
{
	if (log_fd != STDOUT_FILENO)
		close(log_fd);
	log_fd = STDOUT_FILENO;
}

void log_set_level(config_loglevel_t level)
{
	ck_pr_store_int(&log_level, (int)level);
}

void log_line(config_loglevel_t level, const char *fmt, ...)
{
	static const char marks[] = ".-*#";
	if ((int)level < ck_pr_load_int(&log_level))
		return;
	char line[1024];
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	int n = snprintf(line, sizeof(line), "%d:M ", (int)getpid());
	n += (int)strftime(line + n, sizeof(line) - (size_t)n,
			   "%d %b %Y %H:%M:%S.", &tm);
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%03d %c ",
		      (int)(tv.tv_usec / 1000), marks[level]);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	ssize_t w = write(log_fd, line, (size_t)n);
	(void)w;
}
