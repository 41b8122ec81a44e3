// SPDX-License-Identifier: MIT
/*
 * safetensors reader with its own small JSON parser. Limits: the header at
 * most ST_MAX_HEADER bytes, nesting at most JSON_MAX_DEPTH levels.
 *
 * Copyright (c) 2026 The qaccel authors
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safetensors.h"
#include "util.h"

#define JSON_MAX_DEPTH	16

/* ---------------------------------------------------------------------- */
/* JSON */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jval {
	enum jtype type;
	bool is_uint;		/* J_NUM: a non-negative integer that fits u64 */
	uint64_t u;
	char *s;		/* J_STR */
	unsigned int n;		/* J_ARR / J_OBJ: element count */
	char **keys;		/* J_OBJ */
	struct jval *items;	/* J_ARR / J_OBJ */
};

struct jparser {
	const char *p, *end;
	char *why;
	size_t why_size;
	bool failed;
};

__attribute__((format(printf, 2, 3)))
static void jfail(struct jparser *j, const char *fmt, ...)
{
	va_list ap;

	if (j->failed)
		return;
	j->failed = true;
	va_start(ap, fmt);
	vsnprintf(j->why, j->why_size, fmt, ap);
	va_end(ap);
}

static void jfree(struct jval *v)
{
	unsigned int i;

	if (!v)
		return;
	free(v->s);
	for (i = 0; i < v->n; i++) {
		if (v->keys)
			free(v->keys[i]);
		if (v->items)
			jfree(&v->items[i]);
	}
	free(v->keys);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

static void jws(struct jparser *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool read_hex4(struct jparser *j, unsigned int *out)
{
	unsigned int v = 0;
	int i, h;

	if (j->end - j->p < 4)
		return false;
	for (i = 0; i < 4; i++) {
		h = hexval(j->p[i]);
		if (h < 0)
			return false;
		v = v << 4 | (unsigned int)h;
	}
	j->p += 4;
	*out = v;
	return true;
}

static char *jstring(struct jparser *j)
{
	size_t cap = 32, len = 0;
	char *s, *ns;

	if (j->p >= j->end || *j->p != '"') {
		jfail(j, "JSON: expected a string");
		return NULL;
	}
	j->p++;
	s = malloc(cap);
	if (!s) {
		jfail(j, "out of memory");
		return NULL;
	}
	for (;;) {
		unsigned char c;
		unsigned int cp;
		char enc[4];
		int elen = 0, k;

		if (j->p >= j->end) {
			jfail(j, "JSON: unterminated string");
			goto bad;
		}
		c = (unsigned char)*j->p++;
		if (c == '"')
			break;
		if (c < 0x20) {
			jfail(j, "JSON: control character in a string");
			goto bad;
		}
		if (c != '\\') {
			enc[elen++] = (char)c;
		} else {
			if (j->p >= j->end) {
				jfail(j, "JSON: unterminated escape");
				goto bad;
			}
			c = (unsigned char)*j->p++;
			switch (c) {
			case '"': case '\\': case '/': enc[elen++] = (char)c; break;
			case 'b': enc[elen++] = '\b'; break;
			case 'f': enc[elen++] = '\f'; break;
			case 'n': enc[elen++] = '\n'; break;
			case 'r': enc[elen++] = '\r'; break;
			case 't': enc[elen++] = '\t'; break;
			case 'u':
				if (!read_hex4(j, &cp)) {
					jfail(j, "JSON: bad \\u escape");
					goto bad;
				}
				if (cp >= 0xd800 && cp < 0xdc00) {
					unsigned int lo;

					if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u') {
						jfail(j, "JSON: lone surrogate");
						goto bad;
					}
					j->p += 2;
					if (!read_hex4(j, &lo) || lo < 0xdc00 || lo > 0xdfff) {
						jfail(j, "JSON: bad surrogate pair");
						goto bad;
					}
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				} else if (cp >= 0xdc00 && cp < 0xe000) {
					jfail(j, "JSON: lone surrogate");
					goto bad;
				}
				if (cp == 0) {
					jfail(j, "JSON: \\u0000 in a string");
					goto bad;
				}
				if (cp < 0x80) {
					enc[elen++] = (char)cp;
				} else if (cp < 0x800) {
					enc[elen++] = (char)(0xc0 | cp >> 6);
					enc[elen++] = (char)(0x80 | (cp & 0x3f));
				} else if (cp < 0x10000) {
					enc[elen++] = (char)(0xe0 | cp >> 12);
					enc[elen++] = (char)(0x80 | ((cp >> 6) & 0x3f));
					enc[elen++] = (char)(0x80 | (cp & 0x3f));
				} else {
					enc[elen++] = (char)(0xf0 | cp >> 18);
					enc[elen++] = (char)(0x80 | ((cp >> 12) & 0x3f));
					enc[elen++] = (char)(0x80 | ((cp >> 6) & 0x3f));
					enc[elen++] = (char)(0x80 | (cp & 0x3f));
				}
				break;
			default:
				jfail(j, "JSON: bad escape \\%c", c >= 0x20 && c < 0x7f ? c : '?');
				goto bad;
			}
		}
		if (len + (size_t)elen + 1 > cap) {
			cap *= 2;
			ns = realloc(s, cap);
			if (!ns) {
				jfail(j, "out of memory");
				goto bad;
			}
			s = ns;
		}
		for (k = 0; k < elen; k++)
			s[len++] = enc[k];
	}
	s[len] = '\0';
	return s;
bad:
	free(s);
	return NULL;
}

static bool isdigit_c(char c)
{
	return c >= '0' && c <= '9';
}

static void jnumber(struct jparser *j, struct jval *v)
{
	const char *start = j->p;
	bool neg = false, frac = false;
	uint64_t u = 0;
	bool overflow = false;

	v->type = J_NUM;
	if (j->p < j->end && *j->p == '-') {
		neg = true;
		j->p++;
	}
	if (j->p >= j->end || !isdigit_c(*j->p)) {
		jfail(j, "JSON: bad number");
		return;
	}
	if (*j->p == '0' && j->p + 1 < j->end && isdigit_c(j->p[1])) {
		jfail(j, "JSON: number with a leading zero");
		return;
	}
	while (j->p < j->end && isdigit_c(*j->p)) {
		unsigned int d = (unsigned int)(*j->p - '0');

		if (u > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			u = u * 10 + d;
		j->p++;
	}
	if (j->p < j->end && *j->p == '.') {
		frac = true;
		j->p++;
		if (j->p >= j->end || !isdigit_c(*j->p)) {
			jfail(j, "JSON: bad number");
			return;
		}
		while (j->p < j->end && isdigit_c(*j->p))
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		frac = true;
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || !isdigit_c(*j->p)) {
			jfail(j, "JSON: bad number");
			return;
		}
		while (j->p < j->end && isdigit_c(*j->p))
			j->p++;
	}
	(void)start;
	v->is_uint = !neg && !frac && !overflow;
	v->u = u;
}

static bool jlit(struct jparser *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
		return false;
	j->p += n;
	return true;
}

static void jvalue(struct jparser *j, struct jval *v, int depth);

static bool jappend(struct jparser *j, struct jval *v, char *key)
{
	struct jval *items;
	char **keys;

	items = realloc(v->items, sizeof(*items) * (v->n + 1));
	if (!items) {
		jfail(j, "out of memory");
		return false;
	}
	v->items = items;
	memset(&v->items[v->n], 0, sizeof(v->items[0]));
	if (v->type == J_OBJ) {
		keys = realloc(v->keys, sizeof(*keys) * (v->n + 1));
		if (!keys) {
			jfail(j, "out of memory");
			return false;
		}
		v->keys = keys;
		v->keys[v->n] = key;
	}
	v->n++;
	return true;
}

static void jcontainer(struct jparser *j, struct jval *v, int depth, bool obj)
{
	char close = obj ? '}' : ']';
	unsigned int i;

	v->type = obj ? J_OBJ : J_ARR;
	j->p++;
	jws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return;
	}
	for (;;) {
		char *key = NULL;

		jws(j);
		if (obj) {
			key = jstring(j);
			if (!key)
				return;
			for (i = 0; i < v->n; i++) {
				if (!strcmp(v->keys[i], key)) {
					jfail(j, "JSON: duplicate key \"%.64s\"", key);
					free(key);
					return;
				}
			}
			jws(j);
			if (j->p >= j->end || *j->p != ':') {
				jfail(j, "JSON: expected ':'");
				free(key);
				return;
			}
			j->p++;
		}
		if (!jappend(j, v, key)) {
			free(key);
			return;
		}
		jvalue(j, &v->items[v->n - 1], depth + 1);
		if (j->failed)
			return;
		jws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return;
		}
		jfail(j, "JSON: expected ',' or '%c'", close);
		return;
	}
}

static void jvalue(struct jparser *j, struct jval *v, int depth)
{
	if (depth > JSON_MAX_DEPTH) {
		jfail(j, "JSON: nested too deeply");
		return;
	}
	jws(j);
	if (j->p >= j->end) {
		jfail(j, "JSON: unexpected end of the header");
		return;
	}
	switch (*j->p) {
	case '{':
		jcontainer(j, v, depth, true);
		break;
	case '[':
		jcontainer(j, v, depth, false);
		break;
	case '"':
		v->type = J_STR;
		v->s = jstring(j);
		break;
	case 't':
	case 'f':
		v->type = J_BOOL;
		if (!jlit(j, "true") && !jlit(j, "false"))
			jfail(j, "JSON: bad literal");
		break;
	case 'n':
		v->type = J_NULL;
		if (!jlit(j, "null"))
			jfail(j, "JSON: bad literal");
		break;
	default:
		if (*j->p == '-' || isdigit_c(*j->p))
			jnumber(j, v);
		else
			jfail(j, "JSON: unexpected character 0x%02x",
			      (unsigned int)(unsigned char)*j->p);
	}
}

/* ---------------------------------------------------------------------- */
/* safetensors */

static const struct {
	const char *name;
	unsigned int size;
} dtypes[ST_DTYPE_COUNT] = {
	[ST_BOOL] = { "BOOL", 1 }, [ST_U8] = { "U8", 1 }, [ST_I8] = { "I8", 1 },
	[ST_F8_E4M3] = { "F8_E4M3", 1 }, [ST_F8_E5M2] = { "F8_E5M2", 1 },
	[ST_U16] = { "U16", 2 }, [ST_I16] = { "I16", 2 }, [ST_F16] = { "F16", 2 },
	[ST_BF16] = { "BF16", 2 }, [ST_U32] = { "U32", 4 }, [ST_I32] = { "I32", 4 },
	[ST_F32] = { "F32", 4 }, [ST_U64] = { "U64", 8 }, [ST_I64] = { "I64", 8 },
	[ST_F64] = { "F64", 8 },
};

const char *st_dtype_name(enum st_dtype t)
{
	return (unsigned int)t < ST_DTYPE_COUNT ? dtypes[t].name : "?";
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void st_free(struct safetensors *st)
{
	unsigned int i;

	for (i = 0; i < st->count; i++)
		free(st->tensors[i].name);
	for (i = 0; i < st->nmeta; i++) {
		free(st->meta[i].key);
		free(st->meta[i].value);
	}
	free(st->tensors);
	free(st->meta);
	free(st->raw);
	memset(st, 0, sizeof(*st));
}

static int cmp_begin(const void *a, const void *b)
{
	const struct st_tensor *x = *(const struct st_tensor * const *)a;
	const struct st_tensor *y = *(const struct st_tensor * const *)b;

	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/* One tensor entry: exactly dtype, shape, data_offsets. */
static int parse_tensor(const char *name, const struct jval *v, uint64_t buflen,
			struct st_tensor *t, char *why, size_t why_size)
{
	const struct jval *dt = NULL, *shape = NULL, *offs = NULL;
	unsigned int i, k;
	uint64_t numel = 1, bytes;

	if (v->type != J_OBJ) {
		snprintf(why, why_size, "tensor \"%.64s\": entry is not an object", name);
		return -EBADMSG;
	}
	for (i = 0; i < v->n; i++) {
		if (!strcmp(v->keys[i], "dtype"))
			dt = &v->items[i];
		else if (!strcmp(v->keys[i], "shape"))
			shape = &v->items[i];
		else if (!strcmp(v->keys[i], "data_offsets"))
			offs = &v->items[i];
		else {
			snprintf(why, why_size, "tensor \"%.64s\": unknown field \"%.32s\"",
				 name, v->keys[i]);
			return -EBADMSG;
		}
	}
	if (!dt || !shape || !offs || dt->type != J_STR || shape->type != J_ARR ||
	    offs->type != J_ARR) {
		snprintf(why, why_size, "tensor \"%.64s\": needs dtype (string), shape and "
			 "data_offsets (arrays)", name);
		return -EBADMSG;
	}
	for (k = 0; k < ST_DTYPE_COUNT; k++)
		if (!strcmp(dt->s, dtypes[k].name))
			break;
	if (k == ST_DTYPE_COUNT) {
		snprintf(why, why_size, "tensor \"%.64s\": unknown dtype \"%.16s\"", name, dt->s);
		return -EBADMSG;
	}
	t->dtype = (enum st_dtype)k;
	if (shape->n > ST_MAX_DIMS) {
		snprintf(why, why_size, "tensor \"%.64s\": %u dimensions (at most %u)", name,
			 shape->n, ST_MAX_DIMS);
		return -EBADMSG;
	}
	t->ndim = shape->n;
	for (i = 0; i < shape->n; i++) {
		const struct jval *d = &shape->items[i];

		if (d->type != J_NUM || !d->is_uint || d->u > (1ull << 40)) {
			snprintf(why, why_size, "tensor \"%.64s\": bad shape", name);
			return -EBADMSG;
		}
		t->shape[i] = d->u;
		if (d->u && numel > (1ull << 40) / d->u) {
			snprintf(why, why_size, "tensor \"%.64s\": shape too large", name);
			return -EBADMSG;
		}
		numel *= d->u;
	}
	t->numel = numel;
	if (offs->n != 2 || offs->items[0].type != J_NUM || offs->items[1].type != J_NUM ||
	    !offs->items[0].is_uint || !offs->items[1].is_uint) {
		snprintf(why, why_size, "tensor \"%.64s\": data_offsets must be two "
			 "non-negative integers", name);
		return -EBADMSG;
	}
	t->begin = offs->items[0].u;
	t->end = offs->items[1].u;
	if (t->begin > t->end || t->end > buflen) {
		snprintf(why, why_size, "tensor \"%.64s\": data [%llu, %llu) outside the %llu "
			 "data bytes (truncated file?)", name, (unsigned long long)t->begin,
			 (unsigned long long)t->end, (unsigned long long)buflen);
		return -EBADMSG;
	}
	bytes = numel * dtypes[k].size;
	if (t->end - t->begin != bytes) {
		snprintf(why, why_size, "tensor \"%.64s\": %llu data bytes for %llu %s values",
			 name, (unsigned long long)(t->end - t->begin),
			 (unsigned long long)numel, dtypes[k].name);
		return -EBADMSG;
	}
	return 0;
}

int st_parse(const uint8_t *buf, size_t size, struct safetensors *st, char *why,
	     size_t why_size)
{
	struct jparser j = { 0 };
	struct jval root = { 0 };
	struct st_tensor **order = NULL;
	uint64_t hlen, buflen, pos;
	unsigned int i, nt = 0, nm = 0;
	int err = -EBADMSG;

	memset(st, 0, sizeof(*st));
	if (size < 8) {
		snprintf(why, why_size, "truncated: %zu bytes, no header length", size);
		return -EBADMSG;
	}
	hlen = le64(buf);
	if (hlen < 2 || hlen > ST_MAX_HEADER || buf[8] != '{') {
		snprintf(why, why_size, "not a safetensors file (header length %llu, "
			 "first byte 0x%02x)", (unsigned long long)hlen,
			 size > 8 ? buf[8] : 0);
		return -ENOEXEC;
	}
	if (hlen > size - 8) {
		snprintf(why, why_size, "truncated: the header needs %llu bytes, the file "
			 "has %zu", (unsigned long long)hlen, size - 8);
		return -EBADMSG;
	}
	j.p = (const char *)buf + 8;
	j.end = j.p + hlen;
	j.why = why;
	j.why_size = why_size;
	jvalue(&j, &root, 0);
	if (!j.failed) {
		jws(&j);
		if (j.p != j.end)
			jfail(&j, "JSON: trailing characters after the header object");
	}
	if (j.failed)
		goto out;
	if (root.type != J_OBJ) {
		snprintf(why, why_size, "the header is not a JSON object");
		goto out;
	}
	buflen = size - 8 - hlen;
	for (i = 0; i < root.n; i++) {
		if (!strcmp(root.keys[i], "__metadata__"))
			nm = root.items[i].type == J_OBJ ? root.items[i].n : UINT32_MAX;
		else
			nt++;
	}
	if (nm == UINT32_MAX) {
		snprintf(why, why_size, "__metadata__ is not an object");
		goto out;
	}
	st->tensors = calloc(nt ? nt : 1, sizeof(*st->tensors));
	st->meta = calloc(nm ? nm : 1, sizeof(*st->meta));
	order = calloc(nt ? nt : 1, sizeof(*order));
	if (!st->tensors || !st->meta || !order) {
		snprintf(why, why_size, "out of memory");
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < root.n; i++) {
		const struct jval *v = &root.items[i];
		unsigned int k;

		if (!strcmp(root.keys[i], "__metadata__")) {
			for (k = 0; k < v->n; k++) {
				if (v->items[k].type != J_STR) {
					snprintf(why, why_size, "__metadata__ \"%.32s\" is not a "
						 "string", v->keys[k]);
					goto out;
				}
				st->meta[st->nmeta].key = strdup(v->keys[k]);
				st->meta[st->nmeta].value = strdup(v->items[k].s);
				st->nmeta++;
				if (!st->meta[st->nmeta - 1].key || !st->meta[st->nmeta - 1].value) {
					snprintf(why, why_size, "out of memory");
					err = -ENOMEM;
					goto out;
				}
			}
			continue;
		}
		err = parse_tensor(root.keys[i], v, buflen, &st->tensors[st->count], why,
				   why_size);
		if (err)
			goto out;
		err = -EBADMSG;
		st->tensors[st->count].name = strdup(root.keys[i]);
		if (!st->tensors[st->count].name) {
			snprintf(why, why_size, "out of memory");
			err = -ENOMEM;
			goto out;
		}
		st->tensors[st->count].data = buf + 8 + hlen + st->tensors[st->count].begin;
		order[st->count] = &st->tensors[st->count];
		st->count++;
	}
	/* The data buffer must be covered exactly: no overlap, no hole. */
	qsort(order, st->count, sizeof(*order), cmp_begin);
	pos = 0;
	for (i = 0; i < st->count; i++) {
		if (order[i]->begin != pos) {
			snprintf(why, why_size, "tensor \"%.64s\" %s the previous one's data",
				 order[i]->name, order[i]->begin < pos ? "overlaps" :
				 "leaves a hole after");
			goto out;
		}
		pos = order[i]->end;
	}
	if (pos != buflen) {
		snprintf(why, why_size, "%llu bytes after the last tensor's data",
			 (unsigned long long)(buflen - pos));
		goto out;
	}
	err = 0;
out:
	jfree(&root);
	free(order);
	if (err) {
		if (j.failed)
			err = -EBADMSG;
		st_free(st);
	}
	return err;
}

int st_load(const char *path, size_t max_size, struct safetensors *st, char *why,
	    size_t why_size)
{
	const char *reason;
	uint8_t *buf;
	size_t size;
	int err;

	memset(st, 0, sizeof(*st));
	err = read_file(path, max_size, &buf, &size, &reason);
	if (err) {
		snprintf(why, why_size, "%s", reason ? reason : strerror(-err));
		return err;
	}
	err = st_parse(buf, size, st, why, why_size);
	if (err) {
		free(buf);
		return err;
	}
	st->raw = buf;
	st->size = size;
	return 0;
}

const struct st_tensor *st_find(const struct safetensors *st, const char *name)
{
	unsigned int i;

	for (i = 0; i < st->count; i++)
		if (!strcmp(st->tensors[i].name, name))
			return &st->tensors[i];
	return NULL;
}

const char *st_meta_get(const struct safetensors *st, const char *key)
{
	unsigned int i;

	for (i = 0; i < st->nmeta; i++)
		if (!strcmp(st->meta[i].key, key))
			return st->meta[i].value;
	return NULL;
}

static float half_to_float(uint16_t h)
{
	uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
	uint32_t bits;
	float f;

	if (exp == 0) {
		/* zero or subnormal: man * 2^-24 */
		f = (float)man * 5.9604644775390625e-8f;
		return sign ? -f : f;
	}
	if (exp == 31)
		bits = sign | 0x7f800000u | man << 13;
	else
		bits = sign | (exp + 112) << 23 | man << 13;
	memcpy(&f, &bits, sizeof(f));
	return f;
}

int st_to_f32(const struct st_tensor *t, float *out)
{
	const uint8_t *p = t->data;
	uint64_t i;

	for (i = 0; i < t->numel; i++) {
		uint32_t b32;
		uint64_t b64;
		double d;
		float f;

		switch (t->dtype) {
		case ST_F32:
			b32 = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
			      (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
			memcpy(&f, &b32, sizeof(f));
			break;
		case ST_BF16:
			b32 = ((uint32_t)p[2 * i] | (uint32_t)p[2 * i + 1] << 8) << 16;
			memcpy(&f, &b32, sizeof(f));
			break;
		case ST_F16:
			f = half_to_float((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
			break;
		case ST_F64:
			b64 = le64(p + 8 * i);
			memcpy(&d, &b64, sizeof(d));
			if (!isfinite(d) || fabs(d) > 3.4e38)
				return -EDOM;
			f = (float)d;
			break;
		default:
			return -EOPNOTSUPP;
		}
		if (!isfinite(f))
			return -EDOM;
		out[i] = f;
	}
	return 0;
}
