/**
 * @file flyte/flyte.h
 * @brief flyteremote: a C client SDK for Flyte's control plane. Include this one header.
 */
#ifndef FLYTE_FLYTE_H
#define FLYTE_FLYTE_H

#include "version.h"
#include "common.h"
#include "literal_type.h"
#include "literal.h"
#include "interface.h"
#include "typecheck.h"
#include "cache_key.h"
#include "cache_config.h"
#include "hashers.h"
#include "client.h"
#include "config.h"
#include "entities.h"
#include "execution.h"
#include "poller.h"
#include "dataproxy.h"

#endif
