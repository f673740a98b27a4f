/**
 * @file flyte/version.h
 * @brief The version of flyteremote: the single source, read by CMake and the bindings.
 */
#ifndef FLYTE_VERSION_H
#define FLYTE_VERSION_H

#define FLYTE_VERSION_MAJOR 0
#define FLYTE_VERSION_MINOR 1
#define FLYTE_VERSION_PATCH 0
#define FLYTE_VERSION_STRING "0.1.0"
/** MAJOR * 10000 + MINOR * 100 + PATCH, for compile-time comparisons. */
#define FLYTE_VERSION_NUMBER (FLYTE_VERSION_MAJOR * 10000 + FLYTE_VERSION_MINOR * 100 + FLYTE_VERSION_PATCH)

#endif
