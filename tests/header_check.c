/* Compiled alone as C99, C11 and C++ (tests/CMakeLists.txt) with -Wall -Wextra -pedantic
   -Werror: the public headers need nothing else, and the option initialisers users write
   trigger no warning either. */
#include <flyte/flyte.h>

int main(void)
{
	flyte_client_options client = FLYTE_CLIENT_OPTIONS_INIT;
	flyte_execute_options execute = FLYTE_EXECUTE_OPTIONS_INIT;
	flyte_cache_options cache = FLYTE_CACHE_OPTIONS_INIT;
	(void)client;
	(void)execute;
	(void)cache;
	return flyte_version_number() > 0 ? 0 : 1;
}
