/* PC_NEW with a destination of another pointer type must not compile. */
#include <pcoll/pcoll.h>
typedef struct a { int x; } a;
typedef struct b { int x; } b;
PC_DECLARE(a);
PC_DECLARE(b);
pc_err g(pc_pool *pool, PC_PTR(a) *pa, PC_PTR(b) *pb);
pc_err g(pc_pool *pool, PC_PTR(a) *pa, PC_PTR(b) *pb)
{
	(void)pa;
	(void)pb;
#ifdef CONTROL
	return PC_NEW(pool, a, pa);
#else
	return PC_NEW(pool, a, pb);
#endif
}
