// SPDX-License-Identifier: MIT
/*
 * Small helpers shared by the qaccel tools.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "util.h"

const char *prog = "qaccel";

static void vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void die_status(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(status);
}

int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_double(const char *s, double min, double max, double *out)
{
	double v;
	char *end;

	if (!s || !*s || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int read_plain(int fd, size_t max_size, uint8_t **data, size_t *size,
		      const char **why)
{
	size_t len = 0, cap = 65536;
	uint8_t *buf = malloc(cap + 1), *nb;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len == cap) {
			if (cap > max_size) {
				free(buf);
				*why = "file too large";
				return -EFBIG;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			free(buf);
			*why = "read error";
			return (int)r;
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	if (len > max_size) {
		free(buf);
		*why = "file too large";
		return -EFBIG;
	}
	buf[len] = 0;
	*data = buf;
	*size = len;
	return 0;
}

static int read_gzip(int fd, size_t max_size, uint8_t **data, size_t *size,
		     const char **why)
{
	size_t len = 0, cap = 1 << 20;
	uint8_t *buf, *nb;
	gzFile gz;
	int r, dfd = dup(fd);

	if (dfd < 0)
		return -errno;
	gz = gzdopen(dfd, "rb");
	if (!gz) {
		close(dfd);
		return -ENOMEM;
	}
	buf = malloc(cap + 1);
	if (!buf) {
		gzclose(gz);
		return -ENOMEM;
	}
	for (;;) {
		if (len == cap) {
			if (cap > max_size) {
				free(buf);
				gzclose(gz);
				*why = "file too large (decompressed)";
				return -EFBIG;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				gzclose(gz);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = gzread(gz, buf + len, (unsigned int)(cap - len > (1u << 30) ?
							 (1u << 30) : cap - len));
		if (r < 0) {
			free(buf);
			gzclose(gz);
			*why = "corrupt gzip stream";
			return -EBADMSG;
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	/* A stream cut short reads as a clean end; gzclose_r() reports it. */
	r = gzclose(gz);
	if (r != Z_OK) {
		free(buf);
		*why = r == Z_BUF_ERROR ? "truncated gzip stream" : "corrupt gzip stream";
		return -EBADMSG;
	}
	if (len > max_size) {
		free(buf);
		*why = "file too large (decompressed)";
		return -EFBIG;
	}
	buf[len] = 0;
	*data = buf;
	*size = len;
	return 0;
}

int read_file(const char *path, size_t max_size, uint8_t **data, size_t *size,
	      const char **why)
{
	unsigned char magic[2];
	struct stat st;
	int fd, err;
	ssize_t r;

	*why = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	r = pread(fd, magic, 2, 0);
	if (r == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
		err = read_gzip(fd, max_size, data, size, why);
	else
		err = read_plain(fd, max_size, data, size, why);
	close(fd);
	return err;
}

const char *fmt_bytes(double bytes, char *buf, size_t size)
{
	if (bytes >= 1024.0 * 1024.0)
		snprintf(buf, size, "%.1f MiB", bytes / (1024.0 * 1024.0));
	else if (bytes >= 1024.0)
		snprintf(buf, size, "%.1f KiB", bytes / 1024.0);
	else
		snprintf(buf, size, "%.0f B", bytes);
	return buf;
}

void progress_start(struct progress *p, FILE *f, const char *label, uint64_t total)
{
	p->f = f;
	p->label = label;
	p->total = total ? total : 1;
	p->last = -1;
	p->tty = isatty(fileno(f));
	p->t0 = now_sec();
	progress_update(p, 0);
}

void progress_update(struct progress *p, uint64_t done)
{
	int pct = (int)(done * 100 / p->total), i, fill;

	if (pct > 100)
		pct = 100;
	if (p->tty) {
		if (pct == p->last)
			return;
		fill = pct * 30 / 100;
		fprintf(p->f, "\r%s [", p->label);
		for (i = 0; i < 30; i++)
			fputc(i < fill ? '#' : '.', p->f);
		fprintf(p->f, "] %3d%%", pct);
		fflush(p->f);
	} else {
		if (pct / 25 == p->last)
			return;
		fprintf(p->f, "%s: %d%%\n", p->label, pct / 25 * 25);
		pct = pct / 25;
	}
	p->last = pct;
}

void progress_end(struct progress *p)
{
	double t = now_sec() - p->t0;

	if (p->tty) {
		progress_update(p, p->total);
		fprintf(p->f, " (%.1f s)\n", t);
	} else {
		progress_update(p, p->total);
	}
	fflush(p->f);
}
