/* labels: FlyteAdmin's validateLabels, with Kubernetes' own messages (IsQualifiedName,
   IsValidLabelValue) as Go prints them. */
#include "labels.h"

#include <ctype.h>
#include <string.h>

#include "alloc.h"

#define MAX_LABELS 16

/* k8s: ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], i.e. alphanumeric ends, -_. inside. */
static int label_chars_ok(const char *s, size_t n)
{
	if (!n || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return 0;
	return 1;
}

/* A lowercase RFC 1123 subdomain. */
static int subdomain_ok(const char *s, size_t n)
{
	if (!n || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int edge = i == 0 || i == n - 1 || s[i - 1] == '.' || s[i + 1] == '.';
		if (islower((unsigned char)c) || isdigit((unsigned char)c))
			continue;
		if ((c == '-' && !edge) || (c == '.' && i > 0 && i < n - 1 && s[i - 1] != '.'))
			continue;
		return 0;
	}
	return 1;
}

#define NAME_PART_MSG                                                                                           \
	"name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "   \
	"alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "   \
	"'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

/* validation.IsQualifiedName, its errors as Go prints a []string; NULL when valid. */
static char *qualified_name_error(const char *key)
{
	const char *slash = strchr(key, '/');
	const char *name = slash ? slash + 1 : key;
	if (slash && strchr(name, '/'))
		return fl_strdup("[a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
				 "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
				 "'123-abc', regex used for validation is "
				 "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix "
				 "and '/' (e.g. 'example.com/MyName')]");
	if (slash && slash == key)
		return fl_strdup("[prefix part must be non-empty]");
	if (slash && !subdomain_ok(key, (size_t)(slash - key)))
		return fl_strdup("[prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
				 "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
				 "'example.com', regex used for validation is "
				 "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')]");
	size_t n = strlen(name);
	if (!n)
		return fl_strdup("[name part must be non-empty]");
	if (n > 63)
		return label_chars_ok(name, n)
			       ? fl_strdup("[name part must be no more than 63 characters]")
			       : fl_strdup("[name part must be no more than 63 characters " NAME_PART_MSG "]");
	return label_chars_ok(name, n) ? NULL : fl_strdup("[" NAME_PART_MSG "]");
}

static char *label_value_error(const char *v)
{
	size_t n = strlen(v);
	int chars = n == 0 || label_chars_ok(v, n);
	if (n <= 63 && chars)
		return NULL;
	const char *bad = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
			  "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
			  "'my_value',  or '12345', regex used for validation is "
			  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
	if (n > 63)
		return chars ? fl_strdup("[must be no more than 63 characters]")
			     : fl_asprintf("[must be no more than 63 characters %s]", bad);
	return fl_asprintf("[%s]", bad);
}

int ds_check_labels(const json_t *labels, ds_reply *out)
{
	const json_t *values = json_object_get(labels, "values");
	if (json_object_size(values) > MAX_LABELS) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "labels map cannot exceed %d entries", MAX_LABELS);
		return -1;
	}
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)values, key, v) {
		char *why = qualified_name_error(key);
		if (why) {
			ds_reply_error(out, GRPC_INVALID_ARGUMENT, "invalid label key [%s]: %s", key, why);
			fl_free(why);
			return -1;
		}
		if ((why = label_value_error(json_string_value(v) ? json_string_value(v) : ""))) {
			ds_reply_error(out, GRPC_INVALID_ARGUMENT, "invalid label value [%s]: %s", json_string_value(v),
				       why);
			fl_free(why);
			return -1;
		}
	}
	return 0;
}

