// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * json: JSON through jansson. Output is one compact line, as "ip -j" prints.
 * The getters look a key up and check its type, so that a wrong config says
 * which key is wrong and what was wanted there.
 */
#include <errno.h>

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

static json_t *json_lookup(const json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	/* An explicit null is as good as absent, as in Go's decoder. */
	return json_is_null(v) ? NULL : v;
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
	json_t *v = json_lookup(obj, key);

	if (!v)
		return 0;
	if (!json_is_string(v))
		return log_errx(-EINVAL, "invalid \"%s\": want a string", key);
	*out = json_string_value(v);
	return 1;
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
	json_t *v = json_lookup(obj, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min ||
	    json_integer_value(v) > max)
		return log_errx(-EINVAL,
				"invalid \"%s\": want an integer from %lld to %lld", key,
				min, max);
	*out = json_integer_value(v);
	return 1;
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
