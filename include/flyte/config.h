/**
 * @file flyte/config.h
 * @brief Flyte's usual client configuration: flytectl's YAML file and FLYTE_* variables.
 *
 * File: the path given, else $FLYTECTL_CONFIG, else ~/.flyte/config.yaml (a missing
 * default file is not an error: the defaults apply). Keys: `admin.endpoint` (e.g.
 * `dns:///flyte.example.com:443`), `admin.insecure`, `admin.insecureSkipVerify`,
 * `admin.caCertFilePath`, `admin.authType` (ClientSecret, ExternalCommand; Pkce and
 * DeviceFlow need a browser or a person: see flyte_config_auth_problem()),
 * `admin.clientId`, `admin.clientSecretLocation`, `admin.clientSecretEnvVar`,
 * `admin.command`, `admin.scopes`, `admin.audience`, `admin.tokenUrl`,
 * `admin.authorizationHeader`, `console.endpoint`, `task.project`, `task.domain`.
 *
 * Environment variables win over the file, per key, even when set to "" (flytekit's
 * rule): FLYTE_PLATFORM_URL, FLYTE_PLATFORM_INSECURE, FLYTE_PLATFORM_INSECURE_SKIP_VERIFY,
 * FLYTE_PLATFORM_CA_CERT_FILE_PATH, FLYTE_PLATFORM_CONSOLE_ENDPOINT,
 * FLYTE_CREDENTIALS_AUTH_MODE, FLYTE_CREDENTIALS_CLIENT_ID, FLYTE_CREDENTIALS_CLIENT_SECRET,
 * FLYTE_CREDENTIALS_CLIENT_SECRET_LOCATION, FLYTE_CREDENTIALS_CLIENT_SECRET_ENV_VAR,
 * FLYTE_CREDENTIALS_SCOPES, FLYTE_CREDENTIALS_AUDIENCE, FLYTE_CREDENTIALS_COMMAND (lists
 * comma-separated), FLYTE_LOCAL_PROJECT, FLYTE_LOCAL_DOMAIN. Booleans: false, 0, off, no
 * and "" are false, anything else true. The client secret comes from the named variable,
 * else the file, else FLYTE_CREDENTIALS_CLIENT_SECRET. An explicit option set in code wins
 * over both.
 *
 * A flyte_config is immutable after loading and may be shared between threads.
 */
#ifndef FLYTE_CONFIG_H
#define FLYTE_CONFIG_H

#include "client.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct flyte_config flyte_config;

/**
 * Loads the configuration. FLYTE_EINVALID names the file, line and key of a bad value;
 * FLYTE_EIO a file that exists but cannot be read (or an explicit path that is missing).
 */
FLYTE_EXTERN int flyte_config_load(flyte_config **out, const char *path, flyte_error **error);
/**
 * Fills `opts` (initialised by the caller) from the configuration. The strings stay
 * owned by `config` and must outlive the use of `opts` (flyte_client_new copies them).
 */
FLYTE_EXTERN int flyte_config_apply(const flyte_config *config, flyte_client_options *opts);
/** The file that was read, or NULL when none. */
FLYTE_EXTERN const char *flyte_config_path(const flyte_config *config);
/**
 * When the configuration names an auth type this client cannot perform (admin.authType
 * or FLYTE_CREDENTIALS_AUTH_MODE Pkce or DeviceFlow: they need a browser or a person), one
 * sentence saying so, where it was set and which settings to use instead; else NULL.
 * Borrowed from `config`. Such a configuration still loads and flyte_config_apply() leaves
 * auth_type at FLYTE_AUTH_NONE, so every server that needs no credentials works;
 * flyte_client_from_config() puts this sentence into the error of a request the server
 * refuses for want of credentials (HTTP 401, gRPC UNAUTHENTICATED).
 */
FLYTE_EXTERN const char *flyte_config_auth_problem(const flyte_config *config);
/**
 * The resolved configuration as YAML text, secrets masked ("****"), with where each value
 * came from as a comment. Free with flyte_string_free().
 */
FLYTE_EXTERN int flyte_config_describe(char **out, const flyte_config *config);
FLYTE_EXTERN void flyte_config_free(flyte_config *config);

#ifdef __cplusplus
}
#endif

#endif
