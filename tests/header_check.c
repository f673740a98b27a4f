/* Compiled alone as C99, C11 and C++ (tests/CMakeLists.txt): the public headers need
   nothing else and trigger no warning. */
#include <flyte/flyte.h>

int main(void)
{
	return flyte_version_number() > 0 ? 0 : 1;
}
