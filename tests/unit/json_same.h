/*
 * json_same: whether two jansson values are the same in every way the
 * parsers must agree on (shared by test_json_fast.c and
 * fuzz/fuzz_json_fast.c): the same type at every node (integer and real
 * apart), the same integers, reals bit for bit, strings byte for byte
 * (length included), arrays element by element, and objects with the same
 * keys in the same iteration order (jansson 2.14 iterates in insertion
 * order) and the same values.
 */
#ifndef TL_TEST_JSON_SAME_H
#define TL_TEST_JSON_SAME_H

#include <jansson.h>
#include <stdbool.h>
#include <string.h>

static bool json_same(const json_t *a, const json_t *b)
{
	if (!a || !b || json_typeof(a) != json_typeof(b))
		return false;
	switch (json_typeof(a)) {
	case JSON_OBJECT: {
		void *ia = json_object_iter((json_t *)a), *ib = json_object_iter((json_t *)b);
		if (json_object_size(a) != json_object_size(b))
			return false;
		while (ia && ib) {
			size_t la = json_object_iter_key_len(ia), lb = json_object_iter_key_len(ib);
			if (la != lb || memcmp(json_object_iter_key(ia), json_object_iter_key(ib), la) != 0 ||
			    !json_same(json_object_iter_value(ia), json_object_iter_value(ib)))
				return false;
			ia = json_object_iter_next((json_t *)a, ia);
			ib = json_object_iter_next((json_t *)b, ib);
		}
		return !ia && !ib;
	}
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!json_same(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		       memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
	case JSON_INTEGER:
		return json_integer_value(a) == json_integer_value(b);
	case JSON_REAL: {
		double x = json_real_value(a), y = json_real_value(b);
		return memcmp(&x, &y, sizeof(x)) == 0;
	}
	default:
		return true; /* true, false, null: the type says it all */
	}
}

#endif
