// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * json: JSON through jansson. Output is one compact line, as "ip -j" prints.
 * The getters look a key up and check its type, so that a wrong config says
 * which key is wrong and what was wanted there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include <plumb/json.h>
#include <plumb/log.h>

/**
 * json_write() - write a JSON value and a newline
 * @f:		the stream the front end chose (stdout)
 * @j:		the value
 *
 * Return: 0 or -EIO.
 */
int json_write(FILE *f, const json_t *j)
{
	if (json_dumpf(j, f, JSON_COMPACT | JSON_ENCODE_ANY) < 0 ||
	    fputc('\n', f) == EOF || fflush(f) == EOF)
		return -EIO;
	return 0;
}

/* Length of the valid UTF-8 character at @s, or 0. */
static size_t json_utf8_len(const unsigned char *s)
{
	size_t need, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	need = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	}
	/* Overlong three-byte forms, surrogates, and past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return need;
}

/**
 * json_utf8_valid() - tell whether a string can be a JSON string as it is
 * @s:		the bytes
 *
 * Return: 1 when @s is valid UTF-8, else 0.
 */
int json_utf8_valid(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;

	while (*u) {
		n = json_utf8_len(u);
		if (!n)
			return 0;
		u += n;
	}
	return 1;
}

/**
 * json_string_lossy() - a JSON string from bytes that may not be UTF-8
 * @s:		the bytes (a message quoting an environment variable, say)
 *
 * json_string() refuses invalid UTF-8; here each byte that does not start a
 * valid character becomes '?', so an error message is never lost.
 *
 * Return: a new JSON string, or NULL when out of memory.
 */
json_t *json_string_lossy(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n, len = strlen(s);
	json_t *j;
	char *copy;

	j = json_string(s);
	if (j)
		return j;
	copy = malloc(len + 1);
	if (!copy)
		return NULL;
	while (i < len) {
		n = json_utf8_len(u + i);
		if (!n) {
			copy[i++] = '?';
			continue;
		}
		memcpy(copy + i, u + i, n);
		i += n;
	}
	copy[len] = '\0';
	j = json_string(copy);
	free(copy);
	return j;
}

#define JSON_READ_MAX (4 << 20) /* a configuration or a state is a few KiB */

/**
 * json_read_fd() - read a JSON document from a file descriptor (stdin)
 * @fd:		the descriptor, read to its end
 * @err:	where jansson says what is wrong; an empty input has position 0
 *
 * Duplicate keys are refused: a document that says two things is not one to
 * act on. The input is read in large chunks and parsed whole (jansson's own
 * fd loader reads a byte per system call).
 *
 * Return: the value, or NULL (@err filled).
 */
json_t *json_read_fd(int fd, json_error_t *err)
{
	size_t len = 0, cap = 0;
	char *buf = NULL, *p;
	ssize_t n;
	json_t *j;

	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 16384;
			p = cap <= JSON_READ_MAX ? realloc(buf, cap) : NULL;
			if (!p) {
				free(buf);
				snprintf(err->text, sizeof(err->text),
					 "input too large or out of "
					 "memory");
				err->line = err->column = -1;
				err->position = 1;
				return NULL;
			}
			buf = p;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	j = json_loadb(buf ? buf : "", len, JSON_REJECT_DUPLICATES, err);
	free(buf);
	return j;
}

/*
 * Does @key name the member @name, folded as Go's encoding/json folds (its
 * fold.go)? Go maps every rune of both to the smallest rune of its
 * unicode.SimpleFold orbit and compares the results. @name is ASCII (every
 * name plumb asks for is), and the only orbits that hold an ASCII letter
 * besides its two cases are {K, k, U+212A KELVIN SIGN} and {S, s, U+017F
 * LATIN SMALL LETTER LONG S}: so an ASCII letter matches either case of
 * itself, 'k' and 's' also those two signs, and any other byte only itself.
 * (U+0130 and U+0131, the dotted and dotless i, fold to nothing else in Go's
 * tables.)
 */
static int json_key_folds_to(const char *key, const char *name)
{
	const unsigned char *k = (const unsigned char *)key;
	const unsigned char *n = (const unsigned char *)name;
	unsigned char up;

	for (; *n; n++) {
		up = *n >= 'a' && *n <= 'z' ? *n - ('a' - 'A') : *n;
		if (*k < 0x80) {
			if (*k != *n && !(up >= 'A' && up <= 'Z' && (*k & ~0x20) == up))
				return 0;
			k++;
		} else if (up == 'K' && k[0] == 0xe2 && k[1] == 0x84 && k[2] == 0xaa) {
			k += 3;
		} else if (up == 'S' && k[0] == 0xc5 && k[1] == 0xbf) {
			k += 2;
		} else {
			return 0;
		}
	}
	return !*k;
}

static int json_name_ascii(const char *name)
{
	for (; *name; name++) {
		if ((unsigned char)*name >= 0x80)
			return 0;
	}
	return 1;
}

/**
 * json_member() - a member, matched as Go's encoding/json matches keys
 * @obj:	the object (anything else has no members)
 * @name:	the name the CNI spec, or the runtime's Go type, gives it
 *
 * Runtimes and plugins written in Go (libcni, containerd, CRI-O, Multus)
 * decode JSON into structs, and Go's decoder takes a key for a field when
 * it matches the field's name exactly or, failing that, case-insensitively:
 * containerd 1.6 sends {"HostPort":18080,"ContainerPort":8080,...} where the
 * spec writes "hostPort", and the reference plugins read both. Every reader
 * of a CNI configuration, runtimeConfig, args or result goes through here,
 * so plumb reads a document as the runtime that wrote it does.
 *
 * An exact match comes first, as in Go's decoder; failing that, a key equal
 * under Go's case folding (see json_key_folds_to()). Where several keys fold
 * to @name and none is exact, Go fills the field once per key and keeps the
 * last, and so does this. (Where the exact spelling and another both occur,
 * Go keeps whichever comes later and plumb the exact one; no runtime writes
 * both.) A map's keys (OCI annotations, "capabilities") are matched exactly
 * by Go, and by plumb with json_object_get().
 *
 * Return: the member (borrowed), or NULL.
 */
json_t *json_member(const json_t *obj, const char *name)
{
	json_t *v, *found = NULL;
	const char *key;

	if (!json_is_object(obj))
		return NULL;
	found = json_object_get(obj, name);
	if (found || !json_name_ascii(name))
		return found;
	json_object_foreach((json_t *)obj, key, v) {
		if (json_key_folds_to(key, name))
			found = v;
	}
	return found;
}

static json_t *json_lookup(const json_t *obj, const char *key)
{
	json_t *v = json_member(obj, key);

	/* An explicit null is as good as absent, as in Go's decoder. */
	return json_is_null(v) ? NULL : v;
}

/**
 * json_get_string_try() - read an optional string member
 * @obj:	the object
 * @key:	the member
 * @out:	its value, left alone when absent
 * @m:		what is wrong, or NULL
 *
 * Return: 1 when present, 0 when absent, -EINVAL (in @m, not logged) when
 * not a string.
 */
int json_get_string_try(const json_t *obj, const char *key, const char **out,
			struct log_msg *m)
{
	json_t *v = json_lookup(obj, key);

	if (!v)
		return 0;
	if (!json_is_string(v))
		return log_msg_errx(m, -EINVAL, "invalid \"%s\": want a string", key);
	*out = json_string_value(v);
	return 1;
}

/**
 * json_get_string() - read an optional string member
 * @obj:	the object
 * @key:	the member
 * @out:	its value, left alone when absent
 *
 * Return: 1 when present, 0 when absent, -EINVAL (logged) when not a string.
 */
int json_get_string(const json_t *obj, const char *key, const char **out)
{
	struct log_msg m;
	int ret = json_get_string_try(obj, key, out, &m);

	return ret < 0 ? log_msg_report(&m) : ret;
}

/**
 * json_get_bool() - read an optional boolean member
 * @obj:	the object
 * @key:	the member
 * @out:	0 or 1, left alone when absent
 *
 * Return: 1 when present, 0 when absent, -EINVAL (logged) when not a boolean.
 */
int json_get_bool(const json_t *obj, const char *key, int *out)
{
	json_t *v = json_lookup(obj, key);

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return log_errx(-EINVAL, "invalid \"%s\": want true or false", key);
	*out = json_is_true(v);
	return 1;
}

/**
 * json_get_int_try() - read an optional integer member within bounds
 * @obj:	the object
 * @key:	the member
 * @min:	smallest value allowed
 * @max:	largest value allowed
 * @out:	its value, left alone when absent
 * @m:		what is wrong, or NULL
 *
 * Return: 1 when present, 0 when absent, -EINVAL (in @m, not logged) when
 * not an integer from @min to @max.
 */
int json_get_int_try(const json_t *obj, const char *key, long long min, long long max,
		     long long *out, struct log_msg *m)
{
	json_t *v = json_lookup(obj, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return log_msg_errx(m, -EINVAL,
				    "invalid \"%s\": want an integer from %lld to %lld",
				    key, min, max);
	*out = json_integer_value(v);
	return 1;
}

/**
 * json_get_int() - read an optional integer member within bounds
 * @obj:	the object
 * @key:	the member
 * @min:	smallest value allowed
 * @max:	largest value allowed
 * @out:	its value, left alone when absent
 *
 * Return: 1 when present, 0 when absent, -EINVAL (logged) when not an
 * integer from @min to @max.
 */
int json_get_int(const json_t *obj, const char *key, long long min, long long max,
		 long long *out)
{
	struct log_msg m;
	int ret = json_get_int_try(obj, key, min, max, out, &m);

	return ret < 0 ? log_msg_report(&m) : ret;
}

/**
 * json_get_object() - read an optional object member
 * @obj:	the object
 * @key:	the member
 * @out:	the member (borrowed), left alone when absent
 *
 * Return: 1 when present, 0 when absent, -EINVAL (logged) when not an object.
 */
int json_get_object(const json_t *obj, const char *key, json_t **out)
{
	json_t *v = json_lookup(obj, key);

	if (!v)
		return 0;
	if (!json_is_object(v))
		return log_errx(-EINVAL, "invalid \"%s\": want an object", key);
	*out = v;
	return 1;
}

/**
 * json_get_array() - read an optional array member
 * @obj:	the object
 * @key:	the member
 * @out:	the member (borrowed), left alone when absent
 *
 * Return: 1 when present, 0 when absent, -EINVAL (logged) when not an array.
 */
int json_get_array(const json_t *obj, const char *key, json_t **out)
{
	json_t *v = json_lookup(obj, key);

	if (!v)
		return 0;
	if (!json_is_array(v))
		return log_errx(-EINVAL, "invalid \"%s\": want an array", key);
	*out = v;
	return 1;
}
