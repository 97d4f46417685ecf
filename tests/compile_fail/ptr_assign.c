/* Assigning one typed pointer to another type must not compile. */
#include <pcoll/pcoll.h>
typedef struct a { int x; } a;
typedef struct b { int x; } b;
PC_DECLARE(a);
PC_DECLARE(b);
void f(PC_PTR(a) *dst, PC_PTR(a) src_a, PC_PTR(b) src_b);
void f(PC_PTR(a) *dst, PC_PTR(a) src_a, PC_PTR(b) src_b)
{
	(void)src_a;
	(void)src_b;
#ifdef CONTROL
	*dst = src_a;
#else
	*dst = src_b;
#endif
}
