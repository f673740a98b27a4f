/* labels: FlyteAdmin's validation of labels (executions and projects). */
#ifndef DS_LABELS_H
#define DS_LABELS_H

#include <jansson.h>

#include "server.h"

/* 0 when labels ({"values": {...}}, may be NULL) are valid: at most 16, keys qualified
   names with an optional DNS-subdomain prefix, values valid label values. Otherwise -1 with
   FlyteAdmin's 400 in out. */
int ds_check_labels(const json_t *labels, ds_reply *out);

#endif
