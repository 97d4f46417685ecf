/* Ignoring a fallible call's result is an error under -Werror. */
#include <pcoll/pcoll.h>
void h(const char *path);
void h(const char *path)
{
	pc_pool *p = NULL;
#ifdef CONTROL
	if (pc_pool_open(path, &p) == PC_OK)
		(void)pc_pool_close(p);
#else
	pc_pool_open(path, &p);
#endif
}
