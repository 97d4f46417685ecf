/* Passing a PC_PTR(b) where a PC_PTR(a) is expected must not compile. */
#include <pcoll/pcoll.h>
typedef struct a { int x; } a;
typedef struct b { int x; } b;
PC_DECLARE(a);
PC_DECLARE(b);
int read_a(pc_pool *pool, PC_PTR(a) pa, PC_PTR(b) pb);
int read_a(pc_pool *pool, PC_PTR(a) pa, PC_PTR(b) pb)
{
	(void)pb;
	(void)pa;
#ifdef CONTROL
	return PC_RO(pool, a, pa)->x;
#else
	return PC_RO(pool, a, pb)->x;
#endif
}
